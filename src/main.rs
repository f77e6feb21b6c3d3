use std::process::ExitCode;

use clap::{Parser, Subcommand};
use stance::cmd;

#[derive(Parser)]
#[command(name = "stance", version, about = "Rates each article's stance on holding a listed company, and explains it")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Score(cmd::score::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Score(args) => cmd::score::run(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
