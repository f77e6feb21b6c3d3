//! Any bytes read as jsonl.
#![no_main]

mod reader;

use libfuzzer_sys::fuzz_target;
use stance::input::InputFormat;

fuzz_target!(|bytes: &[u8]| reader::check(bytes, InputFormat::Jsonl));
