//! Natural ordering of ids: digit runs compare as numbers, so `A&A-02` sorts before `A&A-10`.

use std::cmp::Ordering;

/// Compare two ids in natural order.
///
/// Runs of ASCII digits compare by numeric value (without overflow, at any length), other text
/// compares byte-wise. When two ids are equal under that rule (`A-1` and `A-01`), the plain byte
/// order decides, so the order is total and sorting is deterministic.
///
/// ```
/// use std::cmp::Ordering;
/// use secpack_questionnaire::natural_cmp;
/// assert_eq!(natural_cmp("A&A-02", "A&A-10"), Ordering::Less);
/// assert_eq!(natural_cmp("SL-B.10", "SL-B.9"), Ordering::Greater);
/// ```
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let mut left = Chunks(a.as_bytes());
    let mut right = Chunks(b.as_bytes());
    loop {
        match (left.next(), right.next()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let order = match (is_digits(x), is_digits(y)) {
                    (true, true) => cmp_numbers(x, y),
                    _ => x.cmp(y),
                };
                if order != Ordering::Equal {
                    return order;
                }
            }
        }
    }
}

fn is_digits(chunk: &[u8]) -> bool {
    chunk.first().is_some_and(u8::is_ascii_digit)
}

fn cmp_numbers(x: &[u8], y: &[u8]) -> Ordering {
    let x = trim_zeros(x);
    let y = trim_zeros(y);
    x.len().cmp(&y.len()).then_with(|| x.cmp(y))
}

fn trim_zeros(digits: &[u8]) -> &[u8] {
    let first = digits
        .iter()
        .position(|&d| d != b'0')
        .unwrap_or(digits.len());
    digits.get(first..).unwrap_or_default()
}

/// Splits bytes into maximal runs of ASCII digits and of everything else.
struct Chunks<'a>(&'a [u8]);

impl<'a> Iterator for Chunks<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let first = self.0.first()?;
        let digit = first.is_ascii_digit();
        let len = self
            .0
            .iter()
            .position(|b| b.is_ascii_digit() != digit)
            .unwrap_or(self.0.len());
        let (chunk, rest) = self.0.split_at(len);
        self.0 = rest;
        Some(chunk)
    }
}

#[cfg(test)]
mod tests {
    use super::natural_cmp;

    fn check(unsorted: &[&str], expected: &[&str]) {
        let mut ids = unsorted.to_vec();
        ids.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(ids, expected);
    }

    #[test]
    fn orders_numbers_by_value() {
        check(
            &["A&A-10", "A&A-02", "A&A-1", "AIS-04", "A&A-01"],
            &["A&A-01", "A&A-1", "A&A-02", "A&A-10", "AIS-04"],
        );
        check(
            &["SL-B.10", "SL-B.9", "SL-A.1", "SL-B.1"],
            &["SL-A.1", "SL-B.1", "SL-B.9", "SL-B.10"],
        );
        check(
            &["CC6.10", "CC6.2", "CC10.1"],
            &["CC6.2", "CC6.10", "CC10.1"],
        );
    }

    #[test]
    fn long_digit_runs_do_not_overflow() {
        check(
            &[
                "x-100000000000000000000000000",
                "x-99999999999999999999999999",
            ],
            &[
                "x-99999999999999999999999999",
                "x-100000000000000000000000000",
            ],
        );
    }

    #[test]
    fn prefixes_and_mixed_runs() {
        check(&["ab", "a", "a1", "", "1"], &["", "1", "a", "a1", "ab"]);
        check(
            &["IVS-09", "IAM-02", "IAM-16"],
            &["IAM-02", "IAM-16", "IVS-09"],
        );
    }

    #[test]
    fn non_ascii_text_is_compared_bytewise() {
        check(&["é-2", "é-10", "e-3"], &["e-3", "é-2", "é-10"]);
    }
}
