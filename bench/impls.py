"""The 8 benchmark workloads as numpy and JAX functions, and their inputs.

Shapes, parameter names, flops and bytes come from the peers' manifest
(`shared/bench/manifest.json`); this module only adds the computations,
written from the workload descriptions:

    ew_chain   y = tanh(x*1.5 + 0.5) * sigmoid(x) - x/3            x: f32[16M]
    softmax    softmax over the last axis                           x: f32[4096,1024]
    layernorm  (x - mean) * rsqrt(var + 1e-5) * gamma + beta        x: f32[8192,768]
    matmul     a @ b                                                f32[1024,1024]^2
    mlp        gelu_tanh(x @ w1 + b1) @ w2 + b2                     x: f32[256,768]
    attention  softmax(q k^T / sqrt(64)) v                          f32[8,12,128,64]
    conv       relu(conv2d_nchw(x, w, pad 1) + b)                   x: f32[8,64,56,56]
    reduce     sum over axis 1                                      x: f32[4096,4096]

The numpy functions keep the dtype of their inputs (f32 constants are numpy
scalars, which never widen an array), so calling them on float64 copies of
the inputs gives a float64 reference.

Inputs follow the manifest's recipe: input i of workload W comes from
`numpy.random.default_rng([20240601, i, sum(map(ord, W))])`, standard
normal float32; `weight:F` is scaled by 1/sqrt(F), `bias` by 0.1, and
`gamma` is 1 + 0.1*normal.
"""

from __future__ import annotations

import math

import numpy as np

SEED = 20240601
F32 = np.float32
LN_EPS = 1e-5
GELU_C = math.sqrt(2.0 / math.pi)


# --------------------------------------------------------------------------
# inputs
# --------------------------------------------------------------------------


def make_input(workload: str, index: int, shape, init: str, seed: int = SEED) -> np.ndarray:
    """Input `index` of `workload` (see the module docstring for the recipe)."""
    rng = np.random.default_rng([seed, index, sum(map(ord, workload))])
    a = rng.standard_normal(tuple(shape), dtype=F32)
    if init == "normal":
        pass
    elif init.startswith("weight:"):
        a = a * F32(1.0 / math.sqrt(int(init.split(":", 1)[1])))
    elif init == "bias":
        a = a * F32(0.1)
    elif init == "gamma":
        a = F32(1.0) + a * F32(0.1)
    else:
        raise ValueError(f"unknown init kind {init!r}")
    return np.ascontiguousarray(a, dtype=F32)


def make_inputs(workload: str, spec: dict) -> dict:
    """All inputs of a manifest workload entry, as {name: array} in order."""
    return {inp["name"]: make_input(workload, i, inp["shape"], inp["init"])
            for i, inp in enumerate(spec["inputs"])}


# --------------------------------------------------------------------------
# numpy
# --------------------------------------------------------------------------


def _softmax_last(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    e /= e.sum(axis=-1, keepdims=True)
    return e


def np_ew_chain(x):
    sig = F32(1) / (F32(1) + np.exp(-x))
    return np.tanh(x * F32(1.5) + F32(0.5)) * sig - x / F32(3)


def np_softmax(x):
    return _softmax_last(x)


def np_layernorm(x, gamma, beta):
    d = x - x.mean(axis=-1, keepdims=True)
    var = (d * d).mean(axis=-1, keepdims=True)
    return d / np.sqrt(var + F32(LN_EPS)) * gamma + beta


def np_matmul(a, b):
    return a @ b


def _gelu_tanh(h):
    return F32(0.5) * h * (F32(1) + np.tanh(F32(GELU_C) * (h + F32(0.044715) * h * h * h)))


def np_mlp(x, w1, b1, w2, b2):
    return _gelu_tanh(x @ w1 + b1) @ w2 + b2


def np_attention(q, k, v):
    scale = F32(1.0 / math.sqrt(q.shape[-1]))
    return _softmax_last(np.matmul(q, np.swapaxes(k, -1, -2)) * scale) @ v


def np_conv(x, w, b):
    """3x3 / stride 1 / pad 1 conv as im2col (9 shifted views) + one GEMM."""
    n, c, h, wd = x.shape
    k, _, r, s = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    cols = np.empty((c, r, s, n, h, wd), dtype=x.dtype)
    for i in range(r):
        for j in range(s):
            cols[:, i, j] = xp[:, :, i:i + h, j:j + wd].transpose(1, 0, 2, 3)
    y = w.reshape(k, c * r * s) @ cols.reshape(c * r * s, n * h * wd)
    y = y.reshape(k, n, h, wd).transpose(1, 0, 2, 3) + b[None, :, None, None]
    return np.maximum(y, x.dtype.type(0))


def np_reduce(x):
    return x.sum(axis=1)


NUMPY = {"ew_chain": np_ew_chain, "softmax": np_softmax, "layernorm": np_layernorm,
         "matmul": np_matmul, "mlp": np_mlp, "attention": np_attention, "conv": np_conv,
         "reduce": np_reduce}


# --------------------------------------------------------------------------
# JAX (imported only by the XLA worker)
# --------------------------------------------------------------------------


def jax_functions() -> dict:
    """The workloads as jax.numpy functions (not jitted)."""
    import jax
    import jax.numpy as jnp
    from jax import lax

    def ew_chain(x):
        return jnp.tanh(x * 1.5 + 0.5) * jax.nn.sigmoid(x) - x / 3

    def softmax(x):
        return jax.nn.softmax(x, axis=-1)

    def layernorm(x, gamma, beta):
        d = x - jnp.mean(x, axis=-1, keepdims=True)
        var = jnp.mean(d * d, axis=-1, keepdims=True)
        return d * lax.rsqrt(var + LN_EPS) * gamma + beta

    def matmul(a, b):
        return a @ b

    def mlp(x, w1, b1, w2, b2):
        return jax.nn.gelu(x @ w1 + b1, approximate=True) @ w2 + b2

    def attention(q, k, v):
        s = jnp.einsum("bhqd,bhkd->bhqk", q, k) / math.sqrt(q.shape[-1])
        return jnp.einsum("bhqk,bhkd->bhqd", jax.nn.softmax(s, axis=-1), v)

    def conv(x, w, b):
        y = lax.conv_general_dilated(x, w, window_strides=(1, 1), padding=((1, 1), (1, 1)),
                                     dimension_numbers=("NCHW", "OIHW", "NCHW"))
        return jax.nn.relu(y + b[None, :, None, None])

    def reduce(x):
        return jnp.sum(x, axis=1)

    return {"ew_chain": ew_chain, "softmax": softmax, "layernorm": layernorm,
            "matmul": matmul, "mlp": mlp, "attention": attention, "conv": conv,
            "reduce": reduce}
