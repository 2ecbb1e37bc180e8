#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    marshrut::cli::main()
}
