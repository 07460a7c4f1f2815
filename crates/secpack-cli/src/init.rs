//! `secpack init [DIR]`: scaffold `secpack.toml` and the missing source files of the
//! package layout in an existing git repository.
//!
//! It looks at the work tree (unlike every other command, which reads commits: there is
//! nothing committed to read yet), detects SBOMs, provenance and policy documents that are
//! already there, maps them, and writes a stub under `security/` for every required file of
//! the layout that nothing provides. It never overwrites a file: every file is created with
//! `create_new`, and an existing `secpack.toml` stops it before anything is written.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use secpack_archive::layout;

use crate::commands::UsageError;
use crate::{EXIT_OK, ui};

/// What `secpack init` was asked.
#[derive(Debug)]
pub struct InitOptions {
    pub dir: PathBuf,
    pub product: Option<String>,
    pub vendor: Option<String>,
    pub dry_run: bool,
}

/// Folder of the stubs, mirroring the package layout.
const STUB_DIR: &str = "security";

/// Folders never searched: version control, build outputs, dependencies.
const SKIP_DIRS: &[&str] = &[".git", "target", "node_modules", ".venv", "venv", "vendor"];

/// At most this many files are looked at (a monorepo needs no complete census).
const MAX_FILES: usize = 100_000;

/// SBOM content is recognized in this many leading bytes.
const SNIFF_LEN: u64 = 64 * 1024;

/// A file found in the work tree and where it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Detected {
    kind: Kind,
    path: String,
    dest: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Sbom,
    Provenance,
    Document,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Sbom => "sbom",
            Kind::Provenance => "provenance",
            Kind::Document => "document",
        }
    }
}

/// File names (lowercase) that provide a required destination, best first.
const DOCUMENTS: &[(&str, &[&str])] = &[
    (
        "policies/VULNERABILITY_DISCLOSURE.md",
        &[
            "vulnerability_disclosure.md",
            "vulnerability-disclosure.md",
            "vulnerability-disclosure-policy.md",
            "vdp.md",
            "security.md",
        ],
    ),
    (
        "policies/SECURITY_CONTACT.md",
        &["security_contact.md", "security-contact.md"],
    ),
    (
        "hardening/cloud-deployment.md",
        &["cloud-deployment.md", "cloud-hardening.md"],
    ),
    (
        "hardening/onprem-deployment.md",
        &[
            "onprem-deployment.md",
            "on-prem-deployment.md",
            "on-premise-deployment.md",
            "onprem-hardening.md",
        ],
    ),
    (
        "hardening/tenancy-isolation.md",
        &["tenancy-isolation.md", "tenant-isolation.md"],
    ),
    ("questionnaires/sig-lite.md", &["sig-lite.md"]),
    ("questionnaires/caiq-lite.md", &["caiq-lite.md"]),
    (
        "CONTROLS_SUMMARY.md",
        &["controls_summary.md", "controls-summary.md"],
    ),
    (
        "artifacts/third-party-licenses.txt",
        &[
            "third-party-licenses.txt",
            "third_party_licenses.txt",
            "third-party-notices.txt",
        ],
    ),
];

/// Destinations whose documents may be published: classified public, the rest customer-only.
const PUBLIC_DESTS: &[&str] = &[
    "policies/VULNERABILITY_DISCLOSURE.md",
    "policies/SECURITY_CONTACT.md",
];

/// What init decided, before anything is written.
#[derive(Debug, Default)]
struct Scaffold {
    detected: Vec<Detected>,
    /// Stub path → content, for destinations nothing provides.
    stubs: BTreeMap<String, String>,
    /// Destination → source, for `[files]`.
    files: BTreeMap<String, String>,
    config: String,
}

pub fn run(options: &InitOptions, json: bool) -> anyhow::Result<u8> {
    let dir = &options.dir;
    check_repository(dir)?;
    let config_path = dir.join(secpack_pipeline::config::CONFIG_FILE);
    if config_path.exists() {
        return Err(UsageError(format!(
            "{} already exists; secpack init never overwrites it: edit it (every key is in docs/config.md) and check it with `secpack plan --rev HEAD`",
            config_path.display()
        ))
        .into());
    }
    let files = list_files(dir)?;
    let product = options
        .product
        .clone()
        .or_else(|| {
            dir.canonicalize()
                .ok()?
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
        })
        .filter(|p| !p.trim().is_empty())
        .unwrap_or_else(|| "My product".to_owned());
    let scaffold = plan_scaffold(dir, &files, &product, options.vendor.as_deref());
    // The generated configuration must be one secpack accepts: a failure here is a bug.
    secpack_pipeline::Config::parse(&scaffold.config, secpack_pipeline::config::CONFIG_FILE)
        .context("secpack init generated an invalid secpack.toml (a bug; please report it)")?;

    let mut created = Vec::new();
    if !options.dry_run {
        for (path, content) in &scaffold.stubs {
            if create_new(dir, path, content)? {
                created.push(path.clone());
            }
        }
        if !create_new(dir, secpack_pipeline::config::CONFIG_FILE, &scaffold.config)? {
            return Err(UsageError(format!(
                "{} appeared while secpack init ran; nothing of it was overwritten",
                config_path.display()
            ))
            .into());
        }
        created.push(secpack_pipeline::config::CONFIG_FILE.to_owned());
    } else {
        created.extend(scaffold.stubs.keys().cloned());
        created.push(secpack_pipeline::config::CONFIG_FILE.to_owned());
    }
    created.sort();

    let fill_in = fill_in_list(&scaffold);
    let next = vec![
        format!(
            "git add {} {STUB_DIR} && git commit -m \"Add secpack configuration\"",
            secpack_pipeline::config::CONFIG_FILE
        ),
        "git tag v0.1.0   # the release tag (vMAJOR.MINOR.PATCH) of the commit to package".into(),
        "secpack plan --rev v0.1.0".into(),
        "secpack build --rev v0.1.0 --out dist/ --unsigned   # or --key FILE (secpack keygen)"
            .into(),
    ];
    if json {
        let detected: Vec<_> = scaffold
            .detected
            .iter()
            .map(|d| serde_json::json!({"kind": d.kind.as_str(), "path": d.path, "dest": d.dest}))
            .collect();
        let report = serde_json::json!({
            "dry_run": options.dry_run,
            "created": created,
            "detected": detected,
            "fill_in": fill_in,
            "next": next,
        });
        let mut stdout = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut stdout, &report)?;
        writeln!(stdout)?;
        return Ok(EXIT_OK);
    }
    let mut out = anstream::stdout().lock();
    if scaffold.detected.is_empty() {
        writeln!(
            out,
            "detected: nothing to reuse (no SBOM, provenance or policy document)"
        )?;
    } else {
        writeln!(out, "{}", ui::styled(ui::BOLD, "detected:"))?;
        for d in &scaffold.detected {
            writeln!(out, "  {:<11} {} -> {}", d.kind.as_str(), d.path, d.dest)?;
        }
    }
    let verb = if options.dry_run {
        "would create (dry run, nothing written):"
    } else {
        "created:"
    };
    writeln!(out, "{}", ui::styled(ui::BOLD, verb))?;
    for path in &created {
        writeln!(out, "  {path}")?;
    }
    writeln!(out, "{}", ui::styled(ui::BOLD, "fill in:"))?;
    for item in &fill_in {
        writeln!(out, "  {item}")?;
    }
    writeln!(out, "{}", ui::styled(ui::BOLD, "next:"))?;
    for step in &next {
        writeln!(out, "  {step}")?;
    }
    Ok(EXIT_OK)
}

/// `dir` must be the root of a git work tree.
fn check_repository(dir: &Path) -> anyhow::Result<()> {
    if !dir.is_dir() {
        return Err(UsageError(format!(
            "{} is not a folder; pass the root of an existing git repository (or create one with `git init {}`)",
            dir.display(),
            dir.display()
        ))
        .into());
    }
    if dir.join(".git").exists() {
        return Ok(());
    }
    let absolute = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    match absolute.ancestors().skip(1).find(|a| a.join(".git").exists()) {
        Some(root) => Err(UsageError(format!(
            "{} is inside the git repository {} but not its root; secpack.toml belongs at the root: run `secpack init {}`",
            dir.display(),
            root.display(),
            root.display()
        ))
        .into()),
        None => Err(UsageError(format!(
            "{} is not a git repository; secpack packages a git commit: run `git init` there first, then `secpack init`",
            dir.display()
        ))
        .into()),
    }
}

/// Every regular file below `dir`, as sorted `/`-separated relative paths (no symbolic links,
/// nothing under [`SKIP_DIRS`] or other hidden folders but `.github` and `.well-known`).
fn list_files(dir: &Path) -> anyhow::Result<Vec<String>> {
    let mut files = Vec::new();
    let mut pending = vec![(dir.to_path_buf(), String::new())];
    while let Some((path, rel)) = pending.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&path)
            .with_context(|| format!("reading {}", path.display()))?
            .filter_map(Result::ok)
            .collect();
        entries.sort_by_key(std::fs::DirEntry::file_name);
        for entry in entries {
            let Ok(name) = entry.file_name().into_string() else {
                continue; // not UTF-8: it could never be packaged anyway
            };
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let child = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            if kind.is_dir() {
                let hidden = name.starts_with('.') && name != ".github" && name != ".well-known";
                if !hidden && !SKIP_DIRS.contains(&name.as_str()) {
                    pending.push((entry.path(), child));
                }
            } else if kind.is_file() {
                files.push(child);
                if files.len() >= MAX_FILES {
                    ui::note(format_args!(
                        "looked at the first {MAX_FILES} files only; map further files in secpack.toml by hand"
                    ));
                    files.sort();
                    return Ok(files);
                }
            }
        }
    }
    files.sort();
    Ok(files)
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn depth(path: &str) -> usize {
    path.matches('/').count()
}

/// Whether the file's first bytes look like a CycloneDX or SPDX JSON document.
fn looks_like_sbom(dir: &Path, path: &str) -> bool {
    let mut head = Vec::new();
    let read =
        std::fs::File::open(dir.join(path)).and_then(|f| f.take(SNIFF_LEN).read_to_end(&mut head));
    read.is_ok() && (memmem(&head, b"\"bomFormat\"") || memmem(&head, b"\"spdxVersion\""))
}

fn memmem(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn is_sbom_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [
        ".cdx.json",
        ".spdx.json",
        ".cyclonedx.json",
        ".bom.json",
        ".sbom.json",
    ]
    .iter()
    .any(|ext| lower.ends_with(ext))
        || lower == "bom.json"
        || lower == "sbom.json"
}

/// Detect, decide stubs and mappings, and render `secpack.toml`.
fn plan_scaffold(dir: &Path, files: &[String], product: &str, vendor: Option<&str>) -> Scaffold {
    let mut scaffold = Scaffold::default();
    let present: BTreeSet<&str> = files.iter().map(String::as_str).collect();

    // SBOMs and provenance.
    let mut sboms: Vec<(String, Option<String>)> = Vec::new();
    let mut provenance: Vec<(String, Option<String>)> = Vec::new();
    let mut sbom_names = BTreeSet::new();
    let mut provenance_names = BTreeSet::new();
    for path in files {
        let name = file_name(path);
        if is_sbom_name(name) && looks_like_sbom(dir, path) {
            let (dest, explicit) = unique_dest(layout::SBOM_DIR, name, &mut sbom_names);
            scaffold.detected.push(Detected {
                kind: Kind::Sbom,
                path: path.clone(),
                dest: dest.clone(),
            });
            sboms.push((path.clone(), explicit.then_some(dest)));
        } else if name.to_ascii_lowercase().ends_with(".intoto.jsonl") {
            let (dest, explicit) = unique_dest(layout::PROVENANCE_DIR, name, &mut provenance_names);
            let dest_dir = dest
                .rsplit_once('/')
                .map_or(dest.clone(), |(d, _)| d.to_owned());
            scaffold.detected.push(Detected {
                kind: Kind::Provenance,
                path: path.clone(),
                dest: dest.clone(),
            });
            provenance.push((path.clone(), explicit.then_some(dest_dir)));
        }
    }

    // Documents of the layout: the best-named, shallowest file, else a stub.
    let mut doc_classes: Vec<(String, &'static str)> = Vec::new();
    for (dest, names) in DOCUMENTS {
        if *dest == layout::LICENSES && !sboms.is_empty() {
            continue; // generated from the SBOMs
        }
        let stub = format!("{STUB_DIR}/{dest}");
        let found = names.iter().find_map(|wanted| {
            files
                .iter()
                .filter(|p| file_name(p).eq_ignore_ascii_case(wanted))
                .min_by_key(|p| (depth(p), p.as_str()))
        });
        let source = match found {
            Some(path) => {
                scaffold.detected.push(Detected {
                    kind: Kind::Document,
                    path: path.clone(),
                    dest: (*dest).to_owned(),
                });
                path.clone()
            }
            None => {
                if !present.contains(stub.as_str()) {
                    scaffold
                        .stubs
                        .insert(stub.clone(), stub_content(dest, product));
                }
                stub
            }
        };
        let class = if PUBLIC_DESTS.contains(dest) {
            "public"
        } else {
            "customer-only"
        };
        doc_classes.push((source.clone(), class));
        scaffold.files.insert((*dest).to_owned(), source);
    }
    // The two required folders need at least one file each.
    for (dir_dest, found) in [
        (layout::SBOM_DIR, !sboms.is_empty()),
        (layout::PROVENANCE_DIR, !provenance.is_empty()),
    ] {
        if found {
            continue;
        }
        let dest = format!("{dir_dest}README.md");
        let stub = format!("{STUB_DIR}/{dest}");
        if !present.contains(stub.as_str()) {
            scaffold
                .stubs
                .insert(stub.clone(), stub_content(&dest, product));
        }
        doc_classes.push((stub.clone(), "customer-only"));
        scaffold.files.insert(dest, stub);
    }
    scaffold
        .detected
        .sort_by(|a, b| (a.kind, &a.path).cmp(&(b.kind, &b.path)));
    scaffold.config = render_config(
        product,
        vendor,
        &doc_classes,
        &scaffold.files,
        &sboms,
        &provenance,
    );
    scaffold
}

/// `folder/name`, or `folder/<n>-name` when the name is taken; and whether it differs from
/// the default destination.
fn unique_dest(folder: &str, name: &str, used: &mut BTreeSet<String>) -> (String, bool) {
    if used.insert(name.to_owned()) {
        return (format!("{folder}{name}"), false);
    }
    let mut n = 2;
    loop {
        let candidate = format!("{n}-{name}");
        if used.insert(candidate.clone()) {
            return (format!("{folder}{candidate}"), true);
        }
        n += 1;
    }
}

/// A TOML basic string (JSON string escapes are valid TOML escapes).
fn toml_str(s: &str) -> String {
    serde_json::to_string(s).expect("a string always serializes")
}

/// A glob matching exactly `path` (metacharacters in brackets).
fn glob_exact(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            '*' | '?' | '[' | ']' | '{' | '}' => {
                out.push('[');
                out.push(c);
                out.push(']');
            }
            _ => out.push(c),
        }
    }
    out
}

fn render_config(
    product: &str,
    vendor: Option<&str>,
    doc_classes: &[(String, &'static str)],
    files: &BTreeMap<String, String>,
    sboms: &[(String, Option<String>)],
    provenance: &[(String, Option<String>)],
) -> String {
    let mut t = String::new();
    t.push_str(
        "# secpack configuration, written by `secpack init`. Every key is documented in\n\
         # docs/config.md. secpack reads this file from the commit it packages, so commit it.\n\n",
    );
    t.push_str("[product]\n");
    t.push_str(&format!("name = {}\n", toml_str(product)));
    match vendor {
        Some(v) => t.push_str(&format!("vendor = {}\n", toml_str(v))),
        None => t.push_str("# vendor = \"TODO: your company\"\n"),
    }
    t.push_str(
        "# TODO: the repository URL as customers may see it; a signed build needs it.\n\
         # repository = \"https://git.example.com/security/evidence\"\n\
         # summary = \"TODO: one paragraph for OVERVIEW.md\"\n\n\
         [contacts]\n\
         # security = \"TODO: security@your-company.example\"\n\
         # portal = \"TODO: https://trust.your-company.example\"\n\n",
    );

    t.push_str(
        "# Classification: the most restrictive matching rule wins; a file no rule matches is\n\
         # internal and can never ship. Add rules for the evidence you want to share.\n",
    );
    let mut seen = BTreeSet::new();
    let mut rules: Vec<(String, &str, &str)> = Vec::new();
    for (source, class) in doc_classes {
        if source.starts_with(&format!("{STUB_DIR}/")) {
            continue; // covered by the folder rules below
        }
        if seen.insert(source.clone()) {
            rules.push((glob_exact(source), class, "detected by secpack init"));
        }
    }
    for (source, _) in sboms.iter().chain(provenance) {
        if seen.insert(source.clone()) {
            rules.push((
                glob_exact(source),
                "customer-only",
                "release build output, detected by secpack init",
            ));
        }
    }
    rules.push((
        format!("{STUB_DIR}/policies/**"),
        "public",
        "published policies (stubs by secpack init)",
    ));
    rules.push((
        format!("{STUB_DIR}/{{hardening,questionnaires,artifacts}}/**"),
        "customer-only",
        "evidence shared under NDA (stubs by secpack init)",
    ));
    rules.push((
        format!("{STUB_DIR}/CONTROLS_SUMMARY.md"),
        "customer-only",
        "evidence shared under NDA (stub by secpack init)",
    ));
    for (glob, class, reason) in &rules {
        t.push_str(&format!(
            "\n[[classify]]\nglob = {}\nclass = {}\nreason = {}\n",
            toml_str(glob),
            toml_str(class),
            toml_str(reason)
        ));
    }

    t.push_str(
        "\n# Package layout: destination in the package = source path at the commit.\n[files]\n",
    );
    for (dest, source) in files {
        t.push_str(&format!("{} = {}\n", toml_str(dest), toml_str(source)));
    }
    if !sboms.is_empty() {
        t.push_str(
            "\n# SBOMs, redacted before they ship (rules: [sbom_redact], docs/sbom.md); the\n\
             # third-party license list is generated from them.\n",
        );
        for (source, dest) in sboms {
            t.push_str(&format!("[[sbom]]\nsource = {}\n", toml_str(source)));
            if let Some(dest) = dest {
                t.push_str(&format!("dest = {}\n", toml_str(dest)));
            }
        }
    }
    if !provenance.is_empty() {
        t.push_str(
            "\n# The product's SLSA provenance, checked and shipped; set builder_id and public_key\n\
             # to have the build check who built it (docs/config.md).\n",
        );
        for (source, dest_dir) in provenance {
            t.push_str(&format!(
                "[[product_provenance]]\nsource = {}\n",
                toml_str(source)
            ));
            if let Some(d) = dest_dir {
                t.push_str(&format!("dest_dir = {}\n", toml_str(d)));
            }
        }
    }
    t.push_str(
        "\n# The leak gate scans every shipped byte. Name your internal hosts and domains:\n\
         [leak_gate]\n\
         # internal_domains = [\"corp.your-company.example\"]\n\
         # internal_hosts = [\"jenkins01\"]\n",
    );
    t
}

/// The content of a stub for `dest`.
fn stub_content(dest: &str, product: &str) -> String {
    let (title, body) = match dest {
        "policies/VULNERABILITY_DISCLOSURE.md" => (
            "Vulnerability Disclosure Policy",
            "TODO: how to report a vulnerability, what is in scope, how fast you respond, safe harbour.",
        ),
        "policies/SECURITY_CONTACT.md" => (
            "Security Contact",
            "TODO: the address or form for security reports, the escalation path, your PGP key.",
        ),
        "hardening/cloud-deployment.md" => (
            "Cloud Deployment Hardening Guide",
            "TODO: how to deploy and configure the product securely in the cloud.",
        ),
        "hardening/onprem-deployment.md" => (
            "On-Premise Deployment Hardening Guide",
            "TODO: how to install and configure the product securely on your own infrastructure.",
        ),
        "hardening/tenancy-isolation.md" => (
            "Tenancy Model and Isolation",
            "TODO: how tenants are separated, and the evidence for it.",
        ),
        "questionnaires/sig-lite.md" => (
            "SIG Lite Responses",
            "TODO: your SIG Lite answers, or render them from data with [questionnaires] (docs/questionnaires.md).",
        ),
        "questionnaires/caiq-lite.md" => (
            "CAIQ Lite Responses",
            "TODO: your CAIQ Lite answers, or render them from data with [questionnaires] (docs/questionnaires.md).",
        ),
        "CONTROLS_SUMMARY.md" => (
            "Controls Summary",
            "TODO: your controls and the evidence for each, or render them with [questionnaires] controls.",
        ),
        "artifacts/sbom/README.md" => (
            "Software Bill of Materials",
            "TODO: add the SBOM of the release (CycloneDX or SPDX JSON) to the repository, list it under [[sbom]] in secpack.toml, and remove this file's mapping.",
        ),
        "artifacts/provenance/README.md" => (
            "Build Provenance",
            "TODO: add the SLSA provenance of the release (.intoto.jsonl) to the repository, list it under [[product_provenance]] in secpack.toml, and remove this file's mapping.",
        ),
        "artifacts/third-party-licenses.txt" => {
            return format!(
                "TODO: the third-party licenses of {product}, one component per line.\n\
                 With an SBOM listed under [[sbom]] in secpack.toml, secpack generates this file instead.\n"
            );
        }
        _ => ("TODO", "TODO"),
    };
    format!("# {title}\n\n{product}: {body}\n")
}

/// What the user still has to do, in order.
fn fill_in_list(scaffold: &Scaffold) -> Vec<String> {
    let mut items = vec![format!(
        "{}: [product] vendor, repository (a signed build needs it), summary; [contacts]; [leak_gate] internal domains",
        secpack_pipeline::config::CONFIG_FILE
    )];
    for path in scaffold.stubs.keys() {
        items.push(format!("{path}: replace the TODO"));
    }
    items
}

/// Create `dir/rel` with `content` unless it exists; whether it was created.
fn create_new(dir: &Path, rel: &str, content: &str) -> anyhow::Result<bool> {
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
    {
        Ok(mut file) => {
            file.write_all(content.as_bytes())
                .with_context(|| format!("writing {}", path.display()))?;
            Ok(true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(anyhow::Error::new(e).context(format!("creating {}", path.display()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_globs_escape_metacharacters() {
        for (path, glob) in [
            ("docs/a.md", "docs/a.md"),
            ("docs/[draft] *.md", "docs/[[]draft[]] [*].md"),
            ("a{b}?.json", "a[{]b[}][?].json"),
        ] {
            assert_eq!(glob_exact(path), glob);
        }
    }

    #[test]
    fn sbom_names() {
        for (name, expected) in [
            ("app.cdx.json", true),
            ("app.spdx.json", true),
            ("bom.json", true),
            ("BOM.JSON", true),
            ("app.cyclonedx.json", true),
            ("package.json", false),
            ("app.spdx", false),
        ] {
            assert_eq!(is_sbom_name(name), expected, "{name}");
        }
    }

    #[test]
    fn duplicate_file_names_get_distinct_destinations() {
        let mut used = BTreeSet::new();
        assert_eq!(
            unique_dest("artifacts/sbom/", "bom.json", &mut used),
            ("artifacts/sbom/bom.json".to_owned(), false)
        );
        assert_eq!(
            unique_dest("artifacts/sbom/", "bom.json", &mut used),
            ("artifacts/sbom/2-bom.json".to_owned(), true)
        );
    }

    #[test]
    fn toml_strings_escape_quotes_and_control_characters() {
        assert_eq!(toml_str("a \"b\" \\ c\n"), "\"a \\\"b\\\" \\\\ c\\n\"");
        let parsed = secpack_pipeline::Config::parse(
            &format!("[product]\nname = {}\n", toml_str("Ünïcode \"q\" \t")),
            "t",
        )
        .unwrap();
        assert_eq!(parsed.product.name, "Ünïcode \"q\" \t");
    }
}
