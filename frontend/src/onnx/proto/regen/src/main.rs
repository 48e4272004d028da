//! Regenerates `onnx.rs` from `onnx.proto` with prost-build and protox (no protoc):
//! `cargo run --release --manifest-path regen/Cargo.toml -- onnx.proto .`
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (proto, out) = (&args[1], &args[2]);
    let dir = std::path::Path::new(proto).parent().unwrap();
    let fds = protox::compile([proto], [dir]).expect("compile proto");
    let mut cfg = prost_build::Config::new();
    cfg.out_dir(out);
    // Proto comments are not Rust docs: indented text in them would become doctests.
    cfg.disable_comments(["."]);
    cfg.compile_fds(fds).expect("generate");
}
