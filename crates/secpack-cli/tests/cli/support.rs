//! Test repositories and a runner for the real binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use secpack_testkit::git::git;

pub const CONFIG: &str = r#"
[product]
name = "Acme"
vendor = "Acme Corp"
repository = "https://git.acme.example/security/evidence"

[contacts]
security = "security@acme.example"

[[classify]]
glob = "docs/**"
class = "customer-only"

[[classify]]
glob = "public/**"
class = "public"

[[classify]]
glob = "secret/**"
class = "internal"

[files]
"policies/VULNERABILITY_DISCLOSURE.md" = "public/vdp.md"
"policies/SECURITY_CONTACT.md" = "public/contact.md"
"hardening/cloud-deployment.md" = "docs/cloud.md"
"hardening/onprem-deployment.md" = "docs/onprem.md"
"hardening/tenancy-isolation.md" = "docs/tenancy.md"
"questionnaires/sig-lite.md" = "docs/sig.md"
"questionnaires/caiq-lite.md" = "docs/caiq.md"
"CONTROLS_SUMMARY.md" = "docs/controls.md"
"artifacts/third-party-licenses.txt" = "docs/licenses.txt"
"artifacts/sbom/acme.cdx.json" = "docs/sbom.json"
"artifacts/provenance/acme.intoto.jsonl" = "docs/provenance.jsonl"
"#;

/// The sources the minimal configuration maps, plus an internal file.
pub const FILES: &[(&str, &str)] = &[
    (
        "public/vdp.md",
        "---\nclassification: public\n---\n# VDP\nReport to security@acme.example\n",
    ),
    ("public/contact.md", "# Contact\n"),
    ("docs/cloud.md", "# Cloud\n"),
    ("docs/onprem.md", "# On-prem\n"),
    ("docs/tenancy.md", "# Tenancy\n"),
    ("docs/sig.md", "# SIG Lite\n"),
    ("docs/caiq.md", "# CAIQ Lite\n"),
    ("docs/controls.md", "# Controls\n"),
    ("docs/licenses.txt", "serde 1.0 MIT OR Apache-2.0\n"),
    (
        "docs/sbom.json",
        "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"components\":[]}\n",
    ),
    ("docs/provenance.jsonl", "{}\n"),
    (
        "secret/raw-findings.md",
        "ACME-INTERNAL-CANARY-4242 exploit details\n",
    ),
];

/// A temporary git repository.
pub struct Repo {
    pub dir: tempfile::TempDir,
}

impl Repo {
    /// A repository with `files` (path, content) and `secpack.toml` = `config`, committed
    /// and tagged `tag` (unless `tag` is empty).
    pub fn with(config: &str, files: &[(&str, &str)], tag: &str) -> Repo {
        let dir = tempfile::tempdir().unwrap();
        git(dir.path(), &["init", "--quiet", "--initial-branch=main"]).unwrap();
        let repo = Repo { dir };
        if !config.is_empty() {
            repo.write("secpack.toml", config);
        }
        for (path, content) in files {
            repo.write(path, content);
        }
        repo.commit("initial");
        if !tag.is_empty() {
            repo.git(&["tag", tag]);
        }
        repo
    }

    /// The minimal valid repository, tagged v1.0.0.
    pub fn minimal() -> Repo {
        Repo::with(CONFIG, FILES, "v1.0.0")
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, path: &str, content: &str) {
        let full = self.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, content).unwrap();
    }

    pub fn git(&self, args: &[&str]) -> String {
        git(self.path(), args).unwrap()
    }

    pub fn commit(&self, message: &str) {
        self.git(&["add", "--all"]);
        self.git(&[
            "commit",
            "--quiet",
            "--no-gpg-sign",
            "--allow-empty",
            "-m",
            message,
        ]);
    }
}

/// The TEST-ONLY signing key of the fixtures.
pub fn test_key(name: &str) -> PathBuf {
    secpack_testkit::workspace_root()
        .join("fixtures")
        .join("keys")
        .join(name)
}

/// Run the real binary.
pub fn secpack(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_secpack"))
        .args(args)
        .output()
        .unwrap()
}

/// `[[dirs]]` shipping `docs/evidence/` as `artifacts/evidence/`, to append to [`CONFIG`].
pub const EVIDENCE_DIRS: &str =
    "\n[[dirs]]\nsource = \"docs/evidence\"\ndest = \"artifacts/evidence\"\n";

/// Run `secpack build` of `repo` at `rev` into a fresh folder, unsigned; returns (output, folder).
pub fn build(repo: &Repo, rev: &str) -> (Output, tempfile::TempDir) {
    build_with(repo, rev, &["--unsigned"], &[])
}

/// Run `secpack build` of `repo` at `rev` into a fresh folder with `extra` arguments and
/// environment variables. CI detection is switched off, so the builder id is the local one.
pub fn build_with(
    repo: &Repo,
    rev: &str,
    extra: &[&str],
    env: &[(&str, &str)],
) -> (Output, tempfile::TempDir) {
    let out = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_secpack"))
        .args([
            "build",
            "--repo",
            repo.path().to_str().unwrap(),
            "--rev",
            rev,
            "--out",
            out.path().to_str().unwrap(),
        ])
        .args(extra)
        .envs(env.iter().copied())
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITLAB_CI")
        .output()
        .unwrap();
    (o, out)
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}

/// Extract a zip with the system `unzip` into a new temp dir; `None` (skip) outside CI
/// when unzip is missing.
pub fn unzip(archive: &Path) -> Option<tempfile::TempDir> {
    let dir = tempfile::tempdir().unwrap();
    match Command::new("unzip")
        .arg("-q")
        .arg(archive)
        .arg("-d")
        .arg(dir.path())
        .output()
    {
        Ok(o) => {
            assert!(
                o.status.success(),
                "unzip: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            Some(dir)
        }
        Err(e) if !secpack_testkit::in_ci() => {
            eprintln!("*** SKIPPED: unzip not runnable: {e} ***");
            None
        }
        Err(e) => panic!("unzip is required under CI: {e}"),
    }
}

/// All entries of a zip, decompressed, in order.
pub fn zip_entries(archive: &Path) -> Vec<(String, Vec<u8>)> {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::fs::File::open(archive).unwrap()).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            (f.name().unwrap().to_string(), data)
        })
        .collect()
}

/// All entries of a tar.gz, decompressed, in order.
pub fn tar_entries(archive: &Path) -> Vec<(String, Vec<u8>)> {
    use std::io::Read;
    let file = std::fs::File::open(archive).unwrap();
    let mut t = tar::Archive::new(flate2::read::GzDecoder::new(file));
    t.entries()
        .unwrap()
        .map(|e| {
            let mut e = e.unwrap();
            let name = e.path().unwrap().to_string_lossy().into_owned();
            let mut data = Vec::new();
            e.read_to_end(&mut data).unwrap();
            (name, data)
        })
        .collect()
}
