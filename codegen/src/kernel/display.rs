//! The text form of kernels, for debugging and `--emit=kernels`:
//!
//! ```text
//! kernel add_2 [v0<12] (in0: f32[12], in1: f32[12]) {
//!   e0: f32 = load in0[v0]
//!   e1: f32 = load in1[v0]
//!   e2: f32 = add e0, e1
//!   out0 = e2
//! }
//! ```

use super::{Affine, DimIndex, Expr, Kernel, Load, Scalar};
use std::fmt;
use xlac_ir::DType;

impl fmt::Display for Affine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for &(v, c) in &self.terms {
            let sep = if first { "" } else { " + " };
            match c {
                1 => write!(f, "{sep}v{v}")?,
                -1 if first => write!(f, "-v{v}")?,
                _ => write!(f, "{sep}{c}*v{v}")?,
            }
            first = false;
        }
        if first {
            write!(f, "{}", self.offset)
        } else if self.offset != 0 {
            write!(f, " + {}", self.offset)
        } else {
            Ok(())
        }
    }
}

impl fmt::Display for DimIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.div == 1 {
            write!(f, "{}", self.affine)
        } else {
            write!(f, "({})/{}", self.affine, self.div)
        }
    }
}

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.dtype {
            DType::F32 => write!(f, "{:?}", f32::from_bits(self.bits as u32)),
            DType::F64 => write!(f, "{:?}", f64::from_bits(self.bits)),
            DType::I32 | DType::I64 => write!(f, "{}", self.bits as i64),
            DType::Bool => write!(f, "{}", self.bits != 0),
        }
    }
}

impl fmt::Display for Load {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "load in{}", self.input)?;
        if self.view.len() != 1 {
            write!(f, " as {:?}", self.view)?;
        }
        f.write_str("[")?;
        for (i, ix) in self.index.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{ix}")?;
        }
        f.write_str("]")?;
        if let Some(o) = self.otherwise {
            write!(f, " else {o}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Const(c) => write!(f, "const {c}"),
            Expr::Index(v) => write!(f, "index v{v}"),
            Expr::Load(l) => write!(f, "{l}"),
            Expr::Unary(op, x) => write!(f, "{} {x}", op.name()),
            Expr::Binary(op, a, b) => write!(f, "{} {a}, {b}", op.name()),
            Expr::Compare(dir, a, b) => write!(f, "compare.{} {a}, {b}", format!("{dir:?}").to_lowercase()),
            Expr::Select(p, t, e) => write!(f, "select {p}, {t}, {e}"),
            Expr::Convert(x) => write!(f, "convert {x}"),
            Expr::Reduce { kind, vars, body } => {
                write!(f, "reduce.{} [", format!("{kind:?}").to_lowercase())?;
                for (i, (v, n)) in vars.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "v{v}<{n}")?;
                }
                write!(f, "] {body}")
            }
        }
    }
}

impl fmt::Display for Kernel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "kernel {} [", self.name)?;
        for (i, n) in self.domain.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "v{i}<{n}")?;
        }
        f.write_str("] (")?;
        for (i, input) in self.inputs.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "in{i}: {}[{}]", input.dtype, input.len)?;
        }
        writeln!(f, ") {{")?;
        for (id, data) in self.exprs.iter() {
            writeln!(f, "  {id}: {} = {}", data.dtype, data.expr)?;
        }
        for (i, out) in self.outputs.iter().enumerate() {
            writeln!(f, "  out{i} = {}", out.expr)?;
        }
        f.write_str("}")
    }
}
