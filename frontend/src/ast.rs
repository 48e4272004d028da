//! The syntax tree the grammar builds: names and numbers as source text, with byte spans.
//! [`crate::lower`] turns it into IR.

/// A byte range of the source text.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// The span `start..end`.
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    /// The smallest span covering `self` and `other`.
    pub fn to(self, other: Span) -> Span {
        Span { start: self.start.min(other.start), end: self.end.max(other.end) }
    }
}

/// A node with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Spanned<T> {
    /// The node.
    pub node: T,
    /// Where it is.
    pub span: Span,
}

/// A whole `.ir` file.
#[derive(Debug)]
pub struct ModuleAst<'a> {
    /// The `weights "file"` string token, quotes included.
    pub weights: Option<Spanned<&'a str>>,
    /// Functions in text order.
    pub funcs: Vec<FuncAst<'a>>,
}

/// One `func`.
#[derive(Debug)]
pub struct FuncAst<'a> {
    /// `@name` token.
    pub name: Spanned<&'a str>,
    /// `%name: type` pairs.
    pub params: Vec<(Spanned<&'a str>, TypeAst<'a>)>,
    /// Declared result types.
    pub results: Vec<TypeAst<'a>>,
    /// From `func` to the end of the result types.
    pub signature: Span,
    /// The body.
    pub ops: Vec<OpAst<'a>>,
    /// Returned `%name` tokens.
    pub ret: Vec<Spanned<&'a str>>,
    /// The `return` line.
    pub ret_span: Span,
}

/// A tensor type: `f32[2,3]`.
#[derive(Debug, Clone)]
pub struct TypeAst<'a> {
    /// The dtype identifier.
    pub dtype: Spanned<&'a str>,
    /// The extents as integer tokens.
    pub dims: Vec<Spanned<&'a str>>,
    /// The whole type.
    pub span: Span,
}

/// One op line: `%r = name items : types`.
#[derive(Debug)]
pub struct OpAst<'a> {
    /// Defined `%name` tokens.
    pub results: Vec<Spanned<&'a str>>,
    /// The op name.
    pub name: Spanned<&'a str>,
    /// Operands and attributes, in text order.
    pub items: Vec<Item<'a>>,
    /// Declared result types.
    pub types: Vec<TypeAst<'a>>,
    /// The whole line.
    pub span: Span,
}

/// An operand (`%x`) or an attribute (`name=value`).
#[derive(Debug)]
pub enum Item<'a> {
    /// A `%name` operand.
    Operand(Spanned<&'a str>),
    /// `name=value`.
    Attr(Spanned<&'a str>, Attr<'a>),
}

/// An attribute value, before its kind is known.
#[derive(Debug, Clone, PartialEq)]
pub enum AttrNode<'a> {
    /// An integer token.
    Int(&'a str),
    /// A float token (including `-inf`).
    Float(&'a str),
    /// An identifier (`lt`, `true`, `nan`, ...).
    Ident(&'a str),
    /// A `@name` token.
    Func(&'a str),
    /// `ident("string")`, i.e. `weight("key")`; the string token keeps its quotes.
    Call(&'a str, Spanned<&'a str>),
    /// `[a, b, ...]`.
    List(Vec<Attr<'a>>),
}

/// An attribute value with its span.
pub type Attr<'a> = Spanned<AttrNode<'a>>;
