//! Write a deterministic CycloneDX 1.6 SBOM with N components (default 100,000) for the
//! benchmark: `cargo run --release -p secpack-sbom --example gen-large-cdx -- OUT [N]`.
//!
//! Every 10th component is internal (group `com.summit.internal`, property
//! `summit:internal=true`), every component has a build-path property and an internal build-host
//! property, and each depends on the next two: the shape `scripts/bench-sbom.sh` redacts.
use std::io::Write as _;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(out) = args.first() else {
        eprintln!("usage: gen-large-cdx OUT [N]");
        return ExitCode::from(2);
    };
    let n = match args.get(1).map(|s| s.parse::<usize>()) {
        None => 100_000,
        Some(Ok(n)) => n,
        Some(Err(e)) => {
            eprintln!("N: {e}");
            return ExitCode::from(2);
        }
    };
    match write(out, n) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{out}: {e}");
            ExitCode::from(1)
        }
    }
}

fn write(path: &str, n: usize) -> std::io::Result<()> {
    let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
    let licenses = ["MIT", "Apache-2.0", "BSD-3-Clause", "ISC", "MPL-2.0"];
    writeln!(
        w,
        "{{\n  \"$schema\": \"http://cyclonedx.org/schema/bom-1.6.schema.json\",\n  \"bomFormat\": \"CycloneDX\",\n  \"specVersion\": \"1.6\",\n  \"serialNumber\": \"urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79\",\n  \"version\": 1,"
    )?;
    writeln!(
        w,
        "  \"metadata\": {{\n    \"timestamp\": \"2026-01-01T00:00:00Z\",\n    \"component\": {{\n      \"bom-ref\": \"pkg:cargo/summit@1.2.3\",\n      \"type\": \"application\",\n      \"name\": \"summit\",\n      \"version\": \"1.2.3\"\n    }}\n  }},"
    )?;
    writeln!(w, "  \"components\": [")?;
    for i in 0..n {
        let internal = i % 10 == 7;
        let (group, name) = if internal {
            (
                "com.summit.internal".to_string(),
                format!("summit-internal-{i}"),
            )
        } else {
            (format!("org.example{}", i % 97), format!("lib-{i}"))
        };
        let version = format!("{}.{}.{}", i % 7, i % 13, i % 5);
        let purl = format!("pkg:maven/{group}/{name}@{version}");
        let sha = format!(
            "{:016x}{:016x}{:016x}{:016x}",
            i * 31 + 7,
            i * 17 + 3,
            i * 13 + 1,
            i * 7 + 5
        );
        write!(
            w,
            "    {{\n      \"bom-ref\": \"{purl}\",\n      \"type\": \"library\",\n      \"group\": \"{group}\",\n      \"name\": \"{name}\",\n      \"version\": \"{version}\",\n      \"description\": \"Generated component number {i} for the secpack-sbom benchmark\",\n      \"hashes\": [\n        {{\n          \"alg\": \"SHA-256\",\n          \"content\": \"{sha}\"\n        }}\n      ],\n      \"licenses\": [\n        {{\n          \"license\": {{\n            \"id\": \"{}\"\n          }}\n        }}\n      ],\n      \"purl\": \"{purl}\",\n      \"externalReferences\": [\n        {{\n          \"type\": \"distribution\",\n          \"url\": \"https://repo.example.org/maven2/{name}/{version}/{name}-{version}.jar\"\n        }}\n      ],\n      \"properties\": [\n        {{\n          \"name\": \"build:location\",\n          \"value\": \"/home/builder/.m2/repository/{name}/{version}/{name}-{version}.jar\"\n        }},\n        {{\n          \"name\": \"summit:internal:build-host\",\n          \"value\": \"builder-{}.corp.summit.example\"\n        }}{}\n      ]\n    }}{}\n",
            licenses[i % licenses.len()],
            i % 16,
            if internal {
                ",\n        {\n          \"name\": \"summit:internal\",\n          \"value\": \"true\"\n        }"
            } else {
                ""
            },
            if i + 1 < n { "," } else { "" }
        )?;
    }
    writeln!(w, "  ],\n  \"dependencies\": [")?;
    let purl_of = |i: usize| {
        let (group, name) = if i % 10 == 7 {
            (
                "com.summit.internal".to_string(),
                format!("summit-internal-{i}"),
            )
        } else {
            (format!("org.example{}", i % 97), format!("lib-{i}"))
        };
        format!("pkg:maven/{group}/{name}@{}.{}.{}", i % 7, i % 13, i % 5)
    };
    for i in 0..n {
        let deps: Vec<String> = [i + 1, i + 2]
            .iter()
            .filter(|&&d| d < n)
            .map(|&d| format!("\"{}\"", purl_of(d)))
            .collect();
        write!(
            w,
            "    {{\n      \"ref\": \"{}\",\n      \"dependsOn\": [{}]\n    }}{}\n",
            purl_of(i),
            deps.join(", "),
            if i + 1 < n { "," } else { "" }
        )?;
    }
    writeln!(w, "  ]\n}}")?;
    w.flush()
}
