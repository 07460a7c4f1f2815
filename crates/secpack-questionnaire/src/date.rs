//! Calendar dates for review dates and the caller-given "today" (never the wall clock).

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};

/// A proleptic Gregorian calendar date (years 0 to 9999), as written in TOML (`2026-09-15`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// The date, or `None` when it does not exist (`2026-02-30`) or the year is above 9999.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        let valid =
            year <= 9999 && (1..=12).contains(&month) && day >= 1 && day <= days_in(year, month);
        valid.then_some(Date { year, month, day })
    }

    /// The UTC calendar date of a Unix timestamp.
    ///
    /// To get the committer's local date, add the commit's UTC offset (in seconds) first.
    /// Timestamps outside the years 0 to 9999 are clamped to the first or last day of that range.
    ///
    /// ```
    /// use secpack_questionnaire::Date;
    /// assert_eq!(Date::from_unix_seconds(0).to_string(), "1970-01-01");
    /// assert_eq!(Date::from_unix_seconds(1_790_000_000).to_string(), "2026-09-21");
    /// ```
    pub fn from_unix_seconds(seconds: i64) -> Date {
        let days = seconds.div_euclid(86_400);
        Date::from_days(days)
    }

    pub fn year(self) -> u16 {
        self.year
    }

    pub fn month(self) -> u8 {
        self.month
    }

    pub fn day(self) -> u8 {
        self.day
    }

    /// Days since 1970-01-01 (negative before it).
    pub fn days_since_epoch(self) -> i64 {
        // Howard Hinnant's `days_from_civil`, with March as the first month of the year.
        let (year, month, day) = (
            i64::from(self.year),
            i64::from(self.month),
            i64::from(self.day),
        );
        let year = if month <= 2 { year - 1 } else { year };
        let era = year.div_euclid(400);
        let year_of_era = year - era * 400;
        let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }

    fn from_days(days: i64) -> Date {
        const MIN: i64 = -719_528; // 0000-01-01
        const MAX: i64 = 2_932_896; // 9999-12-31
        let days = days.clamp(MIN, MAX) + 719_468;
        // Howard Hinnant's `civil_from_days`.
        let era = days.div_euclid(146_097);
        let day_of_era = days - era * 146_097;
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let mp = (5 * day_of_year + 2) / 153;
        let day = day_of_year - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        Date {
            year: u16::try_from(year).expect("days are clamped to the years 0 to 9999"),
            month: u8::try_from(month).expect("the month is in 1..=12 by construction"),
            day: u8::try_from(day).expect("the day is in 1..=31 by construction"),
        }
    }
}

fn days_in(year: u16, month: u8) -> u8 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// The error of [`Date::from_str`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid date `{0}`: write a calendar date as YYYY-MM-DD, e.g. 2026-09-15")]
pub struct DateParseError(String);

impl FromStr for Date {
    type Err = DateParseError;

    /// Parses exactly `YYYY-MM-DD`.
    fn from_str(text: &str) -> Result<Date, DateParseError> {
        let err = || DateParseError(text.to_owned());
        let bytes = text.as_bytes();
        let shape_ok = bytes.len() == 10
            && bytes.get(4) == Some(&b'-')
            && bytes.get(7) == Some(&b'-')
            && bytes
                .iter()
                .enumerate()
                .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
        if !shape_ok {
            return Err(err());
        }
        let number = |range: std::ops::Range<usize>| {
            text.get(range)
                .and_then(|s| s.parse::<u16>().ok())
                .ok_or_else(err)
        };
        let year = number(0..4)?;
        let month = u8::try_from(number(5..7)?).map_err(|_| err())?;
        let day = u8::try_from(number(8..10)?).map_err(|_| err())?;
        Date::new(year, month, day).ok_or_else(err)
    }
}

/// Accepts a TOML local date (`2026-09-15`) or a string holding one (`"2026-09-15"`).
impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
        deserializer.deserialize_any(DateVisitor)
    }
}

struct DateVisitor;

impl<'de> Visitor<'de> for DateVisitor {
    type Value = Date;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a date such as 2026-09-15")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Date, E> {
        text.parse().map_err(E::custom)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Date, A::Error> {
        // The toml deserializer hands datetimes over as a one-entry map.
        let datetime =
            toml::value::Datetime::deserialize(de::value::MapAccessDeserializer::new(map))?;
        match datetime {
            toml::value::Datetime {
                date: Some(date),
                time: None,
                offset: None,
            } => Date::new(date.year, date.month, date.day).ok_or_else(|| {
                de::Error::custom(format!("invalid date `{datetime}`: no such calendar day"))
            }),
            other => Err(de::Error::custom(format!(
                "`{other}` has a time of day: write only the date, e.g. 2026-09-15"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Date;

    fn check(text: &str, expected: Option<(u16, u8, u8)>) {
        let parsed = text.parse::<Date>().ok();
        assert_eq!(
            parsed.map(|d| (d.year(), d.month(), d.day())),
            expected,
            "{text}"
        );
        if let Some(date) = parsed {
            assert_eq!(date.to_string(), text);
        }
    }

    #[test]
    fn parses_only_real_calendar_days() {
        check("2026-09-15", Some((2026, 9, 15)));
        check("2024-02-29", Some((2024, 2, 29)));
        check("2000-02-29", Some((2000, 2, 29)));
        check("0000-01-01", Some((0, 1, 1)));
        check("1900-02-29", None);
        check("2026-02-29", None);
        check("2026-04-31", None);
        check("2026-13-01", None);
        check("2026-00-10", None);
        check("2026-9-15", None);
        check("2026-09-15T00:00:00", None);
        check("+026-09-15", None);
        check("", None);
    }

    #[test]
    fn day_numbers_round_trip() {
        for (text, days) in [
            ("1970-01-01", 0),
            ("1969-12-31", -1),
            ("2000-03-01", 11_017),
            ("2026-09-21", 20_717),
            ("0000-01-01", -719_528),
            ("9999-12-31", 2_932_896),
        ] {
            let date: Date = text.parse().expect("test dates are valid");
            assert_eq!(date.days_since_epoch(), days, "{text}");
            assert_eq!(Date::from_unix_seconds(days * 86_400), date, "{text}");
        }
    }

    #[test]
    fn every_day_of_a_leap_cycle_round_trips() {
        let start = Date::new(1999, 12, 1).expect("valid").days_since_epoch();
        let mut previous = None;
        for days in start..start + 146_097 / 100 {
            let date = Date::from_unix_seconds(days * 86_400);
            assert_eq!(date.days_since_epoch(), days);
            assert!(previous < Some(date));
            previous = Some(date);
        }
    }

    #[test]
    fn unix_seconds_round_down_and_clamp() {
        assert_eq!(Date::from_unix_seconds(-1).to_string(), "1969-12-31");
        assert_eq!(Date::from_unix_seconds(86_399).to_string(), "1970-01-01");
        assert_eq!(Date::from_unix_seconds(i64::MAX).to_string(), "9999-12-31");
        assert_eq!(Date::from_unix_seconds(i64::MIN).to_string(), "0000-01-01");
    }
}
