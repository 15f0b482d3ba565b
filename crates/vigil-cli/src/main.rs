//! The `vigil` command-line binary.

fn main() {
    println!("vigil");
}
