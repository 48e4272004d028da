//! Resize and Upsample. Resizing is separable: each resized axis is a contraction
//! with a constant `[out, in]` interpolation matrix computed here (nearest, linear or
//! cubic, any coordinate transformation, antialias), following the ONNX reference.

use crate::onnx::cx::{Cx, Val, R};
use crate::onnx::registry::{from, reg, Entry};
use xlac_ir::{Tensor, TensorData};

/// This family's registrations.
pub(crate) const OPS: &[Entry] = &[
    reg("Upsample", 7, 8, |cx| upsample(cx, false)),
    reg("Upsample", 9, 9, |cx| upsample(cx, true)),
    reg("Resize", 10, 10, resize_v10),
    from("Resize", 11, resize),
];

/// How one axis is resampled.
struct Params {
    mode: String,
    coord: String,
    nearest: String,
    cubic_a: f64,
    antialias: bool,
    exclude_outside: bool,
    extrapolation: f64,
}

fn nearest_coeffs(ratio: f64, mode: &str) -> Vec<f64> {
    let b = |x: bool| if x { 1.0 } else { 0.0 };
    if ratio.fract() == 0.0 {
        return vec![0.0, 1.0];
    }
    match mode {
        "round_prefer_ceil" => vec![b(ratio < 0.5), b(ratio >= 0.5)],
        "floor" => vec![1.0, 0.0],
        "ceil" => vec![0.0, 1.0],
        _ => vec![b(ratio <= 0.5), b(ratio > 0.5)],
    }
}

fn cubic_coeffs(r: f64, a: f64) -> Vec<f64> {
    let s = 1.0 - r;
    vec![
        ((a * (r + 1.0) - 5.0 * a) * (r + 1.0) + 8.0 * a) * (r + 1.0) - 4.0 * a,
        ((a + 2.0) * r - (a + 3.0)) * r * r + 1.0,
        ((a + 2.0) * s - (a + 3.0)) * s * s + 1.0,
        ((a * (s + 1.0) - 5.0 * a) * (s + 1.0) + 8.0 * a) * (s + 1.0) - 4.0 * a,
    ]
}

fn cubic_coeffs_antialias(r: f64, scale: f64, a: f64) -> Vec<f64> {
    let scale = scale.min(1.0);
    let f = |x: f64| {
        let x = x.abs();
        let (x2, x3) = (x * x, x * x * x);
        if x <= 1.0 {
            (a + 2.0) * x3 - (a + 3.0) * x2 + 1.0
        } else if x < 2.0 {
            a * x3 - 5.0 * a * x2 + 8.0 * a * x - 4.0 * a
        } else {
            0.0
        }
    };
    let start = (-2.0 / scale).floor() as i64 + 1;
    let c: Vec<f64> = (start..2 - start).map(|i| f(scale * (i as f64 - r))).collect();
    let s: f64 = c.iter().sum();
    c.iter().map(|x| x / s).collect()
}

fn linear_coeffs_antialias(r: f64, scale: f64) -> Vec<f64> {
    let scale = scale.min(1.0);
    let start = (-1.0 / scale).floor() as i64 + 1;
    let footprint = 2 - 2 * start;
    let c: Vec<f64> =
        (start..start + footprint).map(|i| (1.0 - ((i as f64 - r) * scale).abs()).clamp(0.0, 1.0)).collect();
    let s: f64 = c.iter().sum();
    c.iter().map(|x| x / s).collect()
}

impl Params {
    fn coeffs(&self, ratio: f64, scale: f64) -> Vec<f64> {
        match (self.mode.as_str(), self.antialias) {
            ("nearest", _) => nearest_coeffs(ratio, &self.nearest),
            ("cubic", false) => cubic_coeffs(ratio, self.cubic_a),
            ("cubic", true) => cubic_coeffs_antialias(ratio, scale, self.cubic_a),
            (_, false) => vec![1.0 - ratio, ratio],
            (_, true) => linear_coeffs_antialias(ratio, scale),
        }
    }

    /// The source coordinate of output index `y`.
    fn source(&self, y: f64, scale: f64, n_in: usize, n_out: usize, roi: (f64, f64)) -> R<f64> {
        let out_w = scale * n_in as f64;
        let n = n_in as f64;
        Ok(match self.coord.as_str() {
            "align_corners" if out_w == 1.0 => 0.0,
            "align_corners" => y * (n - 1.0) / (out_w - 1.0),
            "asymmetric" => y / scale,
            "tf_crop_and_resize" => {
                let base = if out_w == 1.0 {
                    (roi.1 - roi.0) * (n - 1.0) / 2.0
                } else {
                    y * (roi.1 - roi.0) * (n - 1.0) / (out_w - 1.0)
                };
                base + roi.0 * (n - 1.0)
            }
            "pytorch_half_pixel" if out_w == 1.0 => -0.5,
            "pytorch_half_pixel" | "half_pixel" => (y + 0.5) / scale - 0.5,
            "half_pixel_symmetric" => {
                let adjustment = n_out as f64 / out_w;
                n / 2.0 * (1.0 - adjustment) + (y + 0.5) / scale - 0.5
            }
            other => return Err(format!("coordinate_transformation_mode `{other}` is not supported")),
        })
    }

    /// The `[n_out, n_in]` matrix and, for `tf_crop_and_resize`, which outputs
    /// extrapolate.
    fn matrix(&self, n_in: usize, n_out: usize, scale: f64, roi: (f64, f64)) -> R<(Vec<f64>, Vec<bool>)> {
        let mut w = vec![0.0; n_out * n_in];
        let mut extrapolated = vec![false; n_out];
        for y in 0..n_out {
            let x = self.source(y as f64, scale, n_in, n_out, roi)?;
            if self.coord == "tf_crop_and_resize" && (x < 0.0 || x > n_in as f64 - 1.0) {
                extrapolated[y] = true;
            }
            let ratio = if x.fract() == 0.0 { 1.0 } else { x - x.floor() };
            let mut c = self.coeffs(ratio, scale);
            let k = c.len() as i64;
            let pad = (k + 1) / 2;
            let xp = x + pad as f64;
            let p = xp.floor() as i64;
            let frac = xp - p as f64;
            let off = if k % 2 == 0 {
                if frac == 0.0 {
                    -(k / 2)
                } else {
                    -(k / 2) + 1
                }
            } else {
                let base = -((k - 1) / 2);
                if frac <= 0.5 {
                    base
                } else {
                    base + 1
                }
            };
            let idx: Vec<i64> = (0..k).map(|j| p + off + j - pad).collect();
            if self.exclude_outside {
                for (cj, &i) in c.iter_mut().zip(&idx) {
                    if i < 0 || i >= n_in as i64 {
                        *cj = 0.0;
                    }
                }
                let s: f64 = c.iter().sum();
                let s = if s == 0.0 { 1.0 } else { s };
                c.iter_mut().for_each(|v| *v /= s);
            }
            for (cj, &i) in c.iter().zip(&idx) {
                let i = i.clamp(0, n_in as i64 - 1) as usize;
                w[y * n_in + i] += cj;
            }
        }
        Ok((w, extrapolated))
    }
}

/// Resizes `x` to `out` with per-dim `scales` and `roi` (`[starts..., ends...]`).
fn apply(cx: &mut Cx, x: &Val, p: &Params, scales: &[f64], out: &[usize], roi: &[f64]) -> R<Val> {
    let dt = cx.dtype(x);
    if !dt.is_float() {
        return Err(format!("Resize takes float inputs, found {dt}"));
    }
    let r = scales.len();
    let mut y = x.clone();
    for a in 0..r {
        let n_in = cx.dims(&y)[a];
        let roi_a = if roi.len() == 2 * r { (roi[a], roi[a + r]) } else { (0.0, 1.0) };
        if (scales[a] - 1.0).abs() < 1e-9 && out[a] == n_in && roi_a == (0.0, 1.0) {
            continue;
        }
        if n_in == 0 || out[a] == 0 {
            return Err("Resize of an empty axis is not supported".into());
        }
        let (w, extra) = p.matrix(n_in, out[a], scales[a], roi_a)?;
        let w = Tensor::new(vec![out[a], n_in], TensorData::F64(w)).expect("matrix");
        let w = cx.constant_val(w);
        let w = cx.convert(&w, dt)?;
        let d = cx.dot(&y, &w, (&[], &[]), (&[a], &[1]))?;
        let mut perm: Vec<usize> = (0..r - 1).collect();
        perm.insert(a, r - 1);
        y = cx.transpose(&d, &perm)?;
        if extra.iter().any(|&e| e) {
            let mask = Tensor::new(vec![out[a]], TensorData::Bool(extra)).expect("mask");
            let mask = cx.constant_val(mask);
            let dims = cx.dims(&y);
            let mask = cx.broadcast_in_dim(&mask, &dims, &[a])?;
            let e = cx.scalar(dt, p.extrapolation);
            y = cx.select(&mask, &e, &y)?;
        }
    }
    Ok(y)
}

fn params(cx: &Cx, coord_default: &str, nearest_default: &str) -> Params {
    Params {
        mode: cx.string("mode", "nearest"),
        coord: cx.string("coordinate_transformation_mode", coord_default),
        nearest: cx.string("nearest_mode", nearest_default),
        cubic_a: cx.float("cubic_coeff_a", -0.75) as f64,
        antialias: cx.int("antialias", 0) == 1,
        exclude_outside: cx.int("exclude_outside", 0) == 1,
        extrapolation: cx.float("extrapolation_value", 0.0) as f64,
    }
}

fn floats_of(cx: &mut Cx, i: usize, what: &str) -> R<Option<Vec<f64>>> {
    match cx.opt(i) {
        None => Ok(None),
        Some(v) => {
            let t = cx.constant(&v, what)?;
            Ok((!t.data.is_empty()).then(|| (0..t.data.len()).map(|j| t.data.get_f64(j)).collect()))
        }
    }
}

/// Resize with `scales` (output extent `floor(scale * in)`).
fn by_scales(cx: &mut Cx, x: &Val, p: &Params, scales: Vec<f64>, roi: &[f64]) -> R<Val> {
    let dims = cx.dims(x);
    if scales.len() != dims.len() {
        return Err(format!("{} scales for rank {}", scales.len(), dims.len()));
    }
    let out: Vec<usize> = dims.iter().zip(&scales).map(|(&d, &s)| (s * d as f64) as usize).collect();
    apply(cx, x, p, &scales, &out, roi)
}

fn resize(cx: &mut Cx) -> R<Vec<Val>> {
    let x = cx.input(0)?;
    let dims = cx.dims(&x);
    let r = dims.len();
    let p = params(cx, "half_pixel", "round_prefer_floor");
    let axes: Vec<usize> = match cx.ints("axes") {
        Some(a) => crate::onnx::attrs::norm_axes(&a, r)?,
        None => (0..r).collect(),
    };
    let roi_in = floats_of(cx, 1, "`roi`")?.unwrap_or_default();
    let mut roi = [vec![0.0; r], vec![1.0; r]].concat();
    if roi_in.len() == 2 * axes.len() {
        for (i, &a) in axes.iter().enumerate() {
            roi[a] = roi_in[i];
            roi[a + r] = roi_in[i + axes.len()];
        }
    }
    let scales_in = floats_of(cx, 2, "`scales`")?;
    let sizes_in = if cx.num_inputs() > 3 { floats_of(cx, 3, "`sizes`")? } else { None };
    let y = if let Some(sizes) = sizes_in {
        if sizes.len() != axes.len() {
            return Err(format!("{} sizes for {} axes", sizes.len(), axes.len()));
        }
        let mut out = dims.clone();
        for (i, &a) in axes.iter().enumerate() {
            out[a] = sizes[i] as usize;
        }
        let mut scales: Vec<f64> = out.iter().zip(&dims).map(|(&o, &d)| o as f64 / d as f64).collect();
        let policy = cx.string("keep_aspect_ratio_policy", "stretch");
        if policy != "stretch" {
            let it = axes.iter().map(|&a| scales[a]);
            let s = if policy == "not_larger" {
                it.fold(f64::INFINITY, f64::min)
            } else {
                it.fold(f64::NEG_INFINITY, f64::max)
            };
            for &a in &axes {
                scales[a] = s;
                out[a] = (s * dims[a] as f64 + 0.5) as usize;
            }
        }
        apply(cx, &x, &p, &scales, &out, &roi)?
    } else if let Some(s) = scales_in {
        if s.len() != axes.len() {
            return Err(format!("{} scales for {} axes", s.len(), axes.len()));
        }
        let mut scales = vec![1.0; r];
        for (i, &a) in axes.iter().enumerate() {
            scales[a] = s[i];
        }
        by_scales(cx, &x, &p, scales, &roi)?
    } else {
        return Err("Resize needs `scales` or `sizes`".into());
    };
    Ok(vec![y])
}

fn resize_v10(cx: &mut Cx) -> R<Vec<Val>> {
    let x = cx.input(0)?;
    let p = params(cx, "asymmetric", "floor");
    let scales = floats_of(cx, 1, "`scales`")?.ok_or("`scales` is missing")?;
    Ok(vec![by_scales(cx, &x, &p, scales, &[])?])
}

fn upsample(cx: &mut Cx, scales_input: bool) -> R<Vec<Val>> {
    let x = cx.input(0)?;
    let p = Params { coord: "asymmetric".into(), nearest: "floor".into(), ..params(cx, "asymmetric", "floor") };
    let scales = if scales_input {
        floats_of(cx, 1, "`scales`")?.ok_or("`scales` is missing")?
    } else {
        cx.floats("scales").ok_or("`scales` is missing")?.iter().map(|&s| s as f64).collect()
    };
    Ok(vec![by_scales(cx, &x, &p, scales, &[])?])
}
