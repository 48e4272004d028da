//! Canonical text parses to a module that prints back to the same bytes.

use xlac_frontend::parse_module;
use xlac_ir::{print_module, OpKind};

/// Uses every op kind, in canonical form.
const EVERY_OP: &str = r#"func @helper(%a: f32[2,3]) -> (f32[2,3], f32[]) {
  %s = reduce %a, kind=sum, dims=[0,1] : f32[]
  return %a, %s
}

func @main(%x: f32[2,3], %y: f32[2,3], %i: i32[2,3], %p: bool[2,3], %idx: i64[2]) -> f32[2,3] {
  %e = exp %x : f32[2,3]
  %l = log %x : f32[2,3]
  %l1 = log1p %x : f32[2,3]
  %t = tanh %x : f32[2,3]
  %lg = logistic %x : f32[2,3]
  %sq = sqrt %x : f32[2,3]
  %rsq = rsqrt %x : f32[2,3]
  %er = erf %x : f32[2,3]
  %sn = sin %x : f32[2,3]
  %cs = cos %x : f32[2,3]
  %fl = floor %x : f32[2,3]
  %ce = ceil %x : f32[2,3]
  %rn = round %x : f32[2,3]
  %ng = neg %x : f32[2,3]
  %ab = abs %x : f32[2,3]
  %sg = sign %x : f32[2,3]
  %nt = not %p : bool[2,3]
  %ad = add %x, %y : f32[2,3]
  %sb = sub %x, %y : f32[2,3]
  %ml = mul %x, %y : f32[2,3]
  %dv = div %x, %y : f32[2,3]
  %rm = rem %x, %y : f32[2,3]
  %pw = pow %x, %y : f32[2,3]
  %mx = max %x, %y : f32[2,3]
  %mn = min %x, %y : f32[2,3]
  %an = and %i, %i : i32[2,3]
  %o.r = or %i, %i : i32[2,3]
  %xr = xor %i, %i : i32[2,3]
  %cmp = compare %x, %y, dir=lt : bool[2,3]
  %sel = select %cmp, %x, %y : f32[2,3]
  %lo = constant value=0.0 : f32[]
  %hi = constant value=1e-5 : f32[]
  %cl = clamp %lo, %x, %hi : f32[2,3]
  %cv = convert %i : f32[2,3]
  %dense = constant value=[[1.0, 2.5, -3.0], [inf, -inf, 0.1]] : f32[2,3]
  %d64 = constant value=[0.1, -0.0, 1e300] : f64[3]
  %big = constant value=[-9223372036854775808, 9223372036854775807] : i64[2]
  %b = constant value=[true, false] : bool[2]
  %empty = constant value=[[], []] : i32[2,0]
  %io = iota dim=1 : i64[2,3]
  %bc = broadcast_in_dim %lo, dims=[] : f32[2,3]
  %rs = reshape %x : f32[3,2]
  %tr = transpose %x, perm=[1,0] : f32[3,2]
  %sl = slice %x, start=[0,0], limit=[2,3], strides=[1,2] : f32[2,2]
  %cc = concatenate %x, %y, dim=0 : f32[4,3]
  %pd = pad %x, %lo, low=[1,0], high=[0,1], interior=[0,0] : f32[3,4]
  %rv = reverse %x, dims=[0] : f32[2,3]
  %rd = reduce %x, kind=max, dims=[1] : f32[2]
  %rw = reduce_window %x, kind=max, window=[1,2], strides=[1,1], padding=[[0,0],[0,1]], dilation=[1,1] : f32[2,3]
  %dg = dot_general %x, %tr, lhs_contract=[1], rhs_contract=[0] : f32[2,2]
  %bd = dot_general %x, %y, lhs_batch=[0], rhs_batch=[0], lhs_contract=[1], rhs_contract=[1] : f32[2]
  %img = constant value=0.5 : f32[1,2,4,4]
  %ker = constant value=0.25 : f32[2,1,3,3]
  %cnv = convolution %img, %ker, strides=[1,1], padding=[[1,1],[1,1]], lhs_dilation=[1,1], rhs_dilation=[1,1], feature_groups=2, layout=nchw : f32[1,2,4,4]
  %g = gather %x, %idx, axis=1 : f32[2,2]
  %c1, %c2 = call %x, callee=@helper : f32[2,3], f32[]
  %f1, %f2 = fusion %x, callee=@helper : f32[2,3], f32[]
  return %sel
}
"#;

#[test]
fn every_op_kind_round_trips() {
    let m = parse_module("every.ir", EVERY_OP, None).unwrap();
    let used: std::collections::HashSet<OpKind> = m.functions.iter().flat_map(|f| &f.ops).map(|op| op.kind).collect();
    let missing: Vec<&str> = OpKind::ALL.iter().filter(|k| !used.contains(k)).map(|k| k.name()).collect();
    assert!(missing.is_empty(), "ops not covered: {missing:?}");
    let printed = print_module(&m);
    assert_eq!(printed, EVERY_OP);
    let again = parse_module("printed.ir", &printed, None).unwrap();
    assert_eq!(again, m);
    assert_eq!(print_module(&again), printed);
}

#[test]
fn non_canonical_text_prints_canonically() {
    let text = "// a comment\nweights \"w \\\"1\\\".safetensors\"   // trailing\n\
                func @f(%a:f32[ 2 ,2 ]) -> (f32[2,2]) {\n  %b = constant value = [[1, 2],[3,4]] : f32[2,2]\n  \
                %n = constant value=nan : f32[]\n  %c=add %a,%b:f32[2,2]\n  return %c }";
    let m = parse_module("t.ir", text, None).unwrap();
    assert_eq!(m.weights_file.as_deref(), Some("w \"1\".safetensors"));
    let printed = print_module(&m);
    assert_eq!(
        printed,
        "weights \"w \\\"1\\\".safetensors\"\n\nfunc @f(%a: f32[2,2]) -> f32[2,2] {\n  \
         %b = constant value=[[1.0, 2.0], [3.0, 4.0]] : f32[2,2]\n  %n = constant value=nan : f32[]\n  \
         %c = add %a, %b : f32[2,2]\n  return %c\n}\n"
    );
    let again = parse_module("p.ir", &printed, None).unwrap();
    assert_eq!(print_module(&again), printed);
}

#[test]
fn empty_module() {
    let m = parse_module("e.ir", "  // nothing\n", None).unwrap();
    assert!(m.functions.is_empty());
    assert_eq!(print_module(&m), "");
}
