//! The `secpack` binary. Everything lives in the `secpack_cli` library (`src/lib.rs`): this
//! file only hands over to it.

fn main() -> std::process::ExitCode {
    secpack_cli::main()
}
