//! CycloneDX XML: a pull parser over quick-xml events into the same raw structs as
//! JSON.
//!
//! The spec version comes from the namespace of the root `bom` element
//! (`http://cyclonedx.org/schema/bom/1.6`). Elements are matched by local name within
//! their parent, so elements this reader does not know, including extensions in other
//! namespaces, are skipped whole. Errors give the line.

use std::borrow::Cow;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::cyclonedx::{
    RawAffect, RawAffectedVersion, RawAnalysis, RawBom, RawComponent, RawDependency, RawEvidence,
    RawHash, RawIdentity, RawLicense, RawLicenseChoice, RawMetadata, RawMethod, RawOrg,
    RawProperty, RawRating, RawSource, RawTool, RawVulnerability, convert,
};
use crate::error::line_of;
use crate::jsonutil::{BorrowedStr, Str};
use crate::{Bom, Error, Format, Limits};

const FORMAT: Format = Format::CycloneDxXml;
const NAMESPACE: &str = "http://cyclonedx.org/schema/bom/";

pub(crate) fn parse(bytes: &[u8], limits: &Limits) -> Result<Bom, Error> {
    let bytes = crate::detect::strip_bom(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        Error::syntax(
            FORMAT,
            line_of(bytes, e.valid_up_to()),
            format!("not UTF-8: {e}"),
        )
    })?;
    let mut x = Xml {
        reader: Reader::from_str(text),
        bytes,
        depth: 0,
        limits,
    };
    let raw = x.document()?;
    convert(&raw, FORMAT, limits)
}

/// One child element, or the end of the parent.
enum Child<'a> {
    /// A start tag; `empty` for `<x/>`, which has no end tag to wait for.
    Start {
        start: BytesStart<'a>,
        empty: bool,
    },
    End,
}

struct Xml<'a, 'l> {
    reader: Reader<&'a [u8]>,
    bytes: &'a [u8],
    depth: usize,
    limits: &'l Limits,
}

fn local(start: &BytesStart<'_>) -> String {
    String::from_utf8_lossy(start.local_name().as_ref()).into_owned()
}

impl<'a> Xml<'a, '_> {
    fn at(&self) -> String {
        line_of(
            self.bytes,
            usize::try_from(self.reader.buffer_position()).unwrap_or(usize::MAX),
        )
    }

    fn syntax(&self, e: impl std::fmt::Display) -> Error {
        let pos = usize::try_from(self.reader.error_position()).unwrap_or(usize::MAX);
        Error::syntax(FORMAT, line_of(self.bytes, pos), e.to_string())
    }

    fn invalid(&self, message: impl Into<String>) -> Error {
        Error::invalid(FORMAT, self.at(), message)
    }

    /// The next child element of the current element, skipping text, comments and
    /// processing instructions.
    fn child(&mut self) -> Result<Child<'a>, Error> {
        loop {
            match self.reader.read_event().map_err(|e| self.syntax(e))? {
                Event::Start(s) => {
                    self.depth += 1;
                    if self.depth > self.limits.max_depth {
                        return Err(self.limits.depth_error("XML nesting", self.at()));
                    }
                    return Ok(Child::Start {
                        start: s,
                        empty: false,
                    });
                }
                Event::Empty(s) => {
                    return Ok(Child::Start {
                        start: s,
                        empty: true,
                    });
                }
                Event::End(_) => {
                    self.depth = self.depth.saturating_sub(1);
                    return Ok(Child::End);
                }
                Event::Eof => return Err(self.syntax("unexpected end of document")),
                _ => {}
            }
        }
    }

    /// Skips the rest of an element whose start tag was just read.
    fn skip(&mut self, _start: &BytesStart<'_>, empty: bool) -> Result<(), Error> {
        if !empty {
            while let Child::Start { start, empty } = self.child()? {
                self.skip(&start, empty)?;
            }
        }
        Ok(())
    }

    /// The text of an element whose start tag was just read, entities resolved.
    fn text(&mut self, empty: bool) -> Result<Str<'static>, Error> {
        let mut out = String::new();
        if empty {
            return Ok(Cow::Owned(out));
        }
        loop {
            match self.reader.read_event().map_err(|e| self.syntax(e))? {
                Event::Text(t) => out.push_str(&t.decode().map_err(|e| self.syntax(e))?),
                Event::CData(t) => out.push_str(&t.decode().map_err(|e| self.syntax(e))?),
                Event::GeneralRef(r) => {
                    if let Some(c) = r.resolve_char_ref().map_err(|e| self.syntax(e))? {
                        out.push(c);
                    } else {
                        let name = r.decode().map_err(|e| self.syntax(e))?;
                        match quick_xml::escape::resolve_predefined_entity(&name) {
                            Some(s) => out.push_str(s),
                            None => return Err(self.invalid(format!("unknown entity &{name};"))),
                        }
                    }
                }
                Event::Start(s) => {
                    self.depth += 1;
                    self.skip(&s, false)?;
                }
                Event::End(_) => {
                    self.depth = self.depth.saturating_sub(1);
                    return Ok(Cow::Owned(out.trim().to_owned()));
                }
                Event::Eof => return Err(self.syntax("unexpected end of document")),
                _ => {}
            }
        }
    }

    fn attr(&self, start: &BytesStart<'_>, name: &str) -> Result<Option<Str<'static>>, Error> {
        for a in start.attributes() {
            let a = a.map_err(|e| self.syntax(e))?;
            if a.key.local_name().as_ref() == name.as_bytes() {
                let v = a.unescape_value().map_err(|e| self.syntax(e))?;
                return Ok(Some(Cow::Owned(v.into_owned())));
            }
        }
        Ok(None)
    }

    /// Calls `f` for each child element of the current element.
    fn children(
        &mut self,
        mut f: impl FnMut(&mut Self, &str, BytesStart<'a>, bool) -> Result<(), Error>,
    ) -> Result<(), Error> {
        loop {
            match self.child()? {
                Child::Start { start, empty } => {
                    let name = local(&start);
                    f(self, &name, start, empty)?;
                }
                Child::End => return Ok(()),
            }
        }
    }

    /// Reads `<list><item/>…</list>` children named `item` with `read`.
    fn list<T>(
        &mut self,
        empty: bool,
        item: &str,
        mut read: impl FnMut(&mut Self, BytesStart<'a>, bool) -> Result<T, Error>,
    ) -> Result<Vec<T>, Error> {
        let mut out = Vec::new();
        if empty {
            return Ok(out);
        }
        self.children(|x, name, s, e| {
            if name == item {
                out.push(read(x, s, e)?);
                Ok(())
            } else {
                x.skip(&s, e)
            }
        })?;
        Ok(out)
    }

    fn document(&mut self) -> Result<RawBom<'static>, Error> {
        let (start, empty) = loop {
            match self.reader.read_event().map_err(|e| self.syntax(e))? {
                Event::Start(s) => {
                    self.depth = 1;
                    break (s, false);
                }
                Event::Empty(s) => break (s, true),
                Event::Eof => return Err(self.syntax("no root element")),
                _ => {}
            }
        };
        if start.local_name().as_ref() != b"bom" {
            return Err(self.invalid(format!(
                "the root element is <{}>, not <bom>",
                local(&start)
            )));
        }
        let mut namespace = None;
        for a in start.attributes() {
            let a = a.map_err(|e| self.syntax(e))?;
            let v = a.unescape_value().map_err(|e| self.syntax(e))?;
            if (a.key.as_ref() == b"xmlns" || a.key.as_ref().starts_with(b"xmlns:"))
                && v.starts_with(NAMESPACE)
            {
                namespace = Some(v.into_owned());
            }
        }
        let Some(namespace) = namespace else {
            return Err(self.invalid(format!(
                "<bom> is not in the CycloneDX namespace {NAMESPACE}1.x"
            )));
        };
        let mut raw = RawBom {
            bom_format: Some(Cow::Borrowed("CycloneDX")),
            spec_version: Some(Cow::Owned(
                namespace[NAMESPACE.len()..]
                    .trim_end_matches('/')
                    .to_owned(),
            )),
            serial_number: self.attr(&start, "serialNumber")?,
            ..RawBom::default()
        };
        if empty {
            return Ok(raw);
        }
        self.children(|x, name, s, e| {
            match name {
                "metadata" => raw.metadata = Some(x.metadata(e)?),
                "components" => raw.components = x.list(e, "component", Self::component)?,
                "dependencies" => raw.dependencies = x.dependencies(e)?,
                "vulnerabilities" => {
                    raw.vulnerabilities = x.list(e, "vulnerability", Self::vulnerability)?
                }
                _ => x.skip(&s, e)?,
            }
            Ok(())
        })?;
        Ok(raw)
    }

    fn metadata(&mut self, empty: bool) -> Result<RawMetadata<'static>, Error> {
        let mut m = RawMetadata::default();
        if empty {
            return Ok(m);
        }
        self.children(|x, name, s, e| {
            match name {
                "timestamp" => m.timestamp = Some(x.text(e)?),
                "tools" => {
                    if !e {
                        x.children(|x, name, s, e| {
                            match name {
                                "tool" => m.tools.0.push(x.tool(e)?),
                                "components" => {
                                    m.tools
                                        .0
                                        .extend(x.list(e, "component", |x, _, e| x.tool(e))?)
                                }
                                "services" => {
                                    m.tools.0.extend(x.list(e, "service", |x, _, e| x.tool(e))?)
                                }
                                _ => x.skip(&s, e)?,
                            }
                            Ok(())
                        })?;
                    }
                }
                "component" => m.component = Some(x.component(s, e)?),
                _ => x.skip(&s, e)?,
            }
            Ok(())
        })?;
        Ok(m)
    }

    fn tool(&mut self, empty: bool) -> Result<RawTool<'static>, Error> {
        let mut t = RawTool::default();
        if empty {
            return Ok(t);
        }
        self.children(|x, name, s, e| {
            match name {
                "vendor" => t.vendor = Some(x.text(e)?),
                "group" => t.group = Some(x.text(e)?),
                "author" => t.author = Some(x.text(e)?),
                "publisher" => t.publisher = Some(x.text(e)?),
                "name" => t.name = Some(x.text(e)?),
                "version" => t.version = Some(x.text(e)?),
                _ => x.skip(&s, e)?,
            }
            Ok(())
        })?;
        Ok(t)
    }

    fn component(
        &mut self,
        start: BytesStart<'a>,
        empty: bool,
    ) -> Result<RawComponent<'static>, Error> {
        let mut c = RawComponent {
            kind: self.attr(&start, "type")?,
            bom_ref: self.attr(&start, "bom-ref")?,
            ..RawComponent::default()
        };
        if empty {
            return Ok(c);
        }
        self.children(|x, name, s, e| {
            match name {
                "group" => c.group = Some(x.text(e)?),
                "name" => c.name = Some(x.text(e)?),
                "version" => c.version = Some(x.text(e)?),
                "purl" => c.purl = Some(x.text(e)?),
                "cpe" => c.cpe = Some(x.text(e)?),
                "publisher" => c.publisher = Some(x.text(e)?),
                "supplier" => {
                    let mut org = RawOrg::default();
                    if !e {
                        x.children(|x, name, s, e| {
                            if name == "name" {
                                org.name = Some(x.text(e)?);
                                Ok(())
                            } else {
                                x.skip(&s, e)
                            }
                        })?;
                    }
                    c.supplier = Some(org);
                }
                "hashes" => {
                    c.hashes = x.list(e, "hash", |x, s, e| {
                        // Without an alg, the hash is ignored with a warning when converted.
                        let alg = x.attr(&s, "alg")?.unwrap_or_default();
                        Ok(RawHash {
                            alg,
                            content: x.text(e)?,
                        })
                    })?;
                }
                "licenses" => {
                    if !e {
                        x.children(|x, name, s, e| {
                            match name {
                                "license" => {
                                    let mut l = RawLicense::default();
                                    if !e {
                                        x.children(|x, name, s, e| {
                                            match name {
                                                "id" => l.id = Some(x.text(e)?),
                                                "name" => l.name = Some(x.text(e)?),
                                                _ => x.skip(&s, e)?,
                                            }
                                            Ok(())
                                        })?;
                                    }
                                    c.licenses.push(RawLicenseChoice {
                                        license: Some(l),
                                        expression: None,
                                    });
                                }
                                "expression" => c.licenses.push(RawLicenseChoice {
                                    license: None,
                                    expression: Some(x.text(e)?),
                                }),
                                _ => x.skip(&s, e)?,
                            }
                            Ok(())
                        })?;
                    }
                }
                "properties" => {
                    c.properties = x.list(e, "property", |x, s, e| {
                        Ok(RawProperty {
                            name: x.attr(&s, "name")?,
                            value: Some(x.text(e)?),
                        })
                    })?;
                }
                "components" => c.components = x.list(e, "component", Self::component)?,
                "tags" => c.tags = x.list(e, "tag", |x, _, e| Ok(BorrowedStr(x.text(e)?)))?,
                "evidence" => c.evidence = Some(x.evidence(e)?),
                _ => x.skip(&s, e)?,
            }
            Ok(())
        })?;
        Ok(c)
    }

    fn evidence(&mut self, empty: bool) -> Result<RawEvidence<'static>, Error> {
        let mut ev = RawEvidence::default();
        if empty {
            return Ok(ev);
        }
        self.children(|x, name, s, e| {
            if name != "identity" {
                return x.skip(&s, e);
            }
            let mut identity = RawIdentity::default();
            if !e {
                x.children(|x, name, s, e| {
                    if name != "methods" {
                        return x.skip(&s, e);
                    }
                    identity.methods = x.list(e, "method", |x, _, e| {
                        let mut m = RawMethod::default();
                        if !e {
                            x.children(|x, name, s, e| {
                                match name {
                                    "technique" => m.technique = Some(x.text(e)?),
                                    "value" => m.value = Some(x.text(e)?),
                                    _ => x.skip(&s, e)?,
                                }
                                Ok(())
                            })?;
                        }
                        Ok(m)
                    })?;
                    Ok(())
                })?;
            }
            ev.identity.0.push(identity);
            Ok(())
        })?;
        Ok(ev)
    }

    /// `<dependency ref="a"><dependency ref="b"/></dependency>`: the nested elements are
    /// what `a` depends on.
    fn dependencies(&mut self, empty: bool) -> Result<Vec<RawDependency<'static>>, Error> {
        self.list(empty, "dependency", |x, s, e| {
            let reference = x.attr(&s, "ref")?;
            let depends_on = x.list(e, "dependency", |x, s, e| {
                // Without a ref, ignored with a warning when converted.
                let r = x.attr(&s, "ref")?.unwrap_or_default();
                x.skip(&s, e)?;
                Ok(BorrowedStr(r))
            })?;
            Ok(RawDependency {
                reference,
                depends_on,
            })
        })
    }

    fn source(&mut self, empty: bool) -> Result<RawSource<'static>, Error> {
        let mut src = RawSource::default();
        if !empty {
            self.children(|x, name, s, e| {
                match name {
                    "name" => src.name = Some(x.text(e)?),
                    "url" => src.url = Some(x.text(e)?),
                    _ => x.skip(&s, e)?,
                }
                Ok(())
            })?;
        }
        Ok(src)
    }

    fn vulnerability(
        &mut self,
        start: BytesStart<'a>,
        empty: bool,
    ) -> Result<RawVulnerability<'static>, Error> {
        let mut v = RawVulnerability {
            bom_ref: self.attr(&start, "bom-ref")?,
            ..RawVulnerability::default()
        };
        if empty {
            return Ok(v);
        }
        self.children(|x, name, s, e| {
            match name {
                "id" => v.id = Some(x.text(e)?),
                "source" => v.source = Some(x.source(e)?),
                "ratings" => {
                    v.ratings = x.list(e, "rating", |x, _, e| {
                        let mut r = RawRating::default();
                        if !e {
                            x.children(|x, name, s, e| {
                                match name {
                                    "source" => r.source = Some(x.source(e)?),
                                    "score" => {
                                        let t = x.text(e)?;
                                        r.score = Some(t.parse().map_err(|_| {
                                            x.invalid(format!("score {t:?} is not a number"))
                                        })?);
                                    }
                                    "severity" => r.severity = Some(x.text(e)?),
                                    "method" => r.method = Some(x.text(e)?),
                                    "vector" => r.vector = Some(x.text(e)?),
                                    _ => x.skip(&s, e)?,
                                }
                                Ok(())
                            })?;
                        }
                        Ok(r)
                    })?;
                }
                "analysis" => {
                    let mut a = RawAnalysis::default();
                    if !e {
                        x.children(|x, name, s, e| {
                            match name {
                                "state" => a.state = Some(x.text(e)?),
                                "justification" => a.justification = Some(x.text(e)?),
                                "responses" => {
                                    a.response = x.list(e, "response", |x, _, e| {
                                        Ok(BorrowedStr(x.text(e)?))
                                    })?
                                }
                                "detail" => a.detail = Some(x.text(e)?),
                                _ => x.skip(&s, e)?,
                            }
                            Ok(())
                        })?;
                    }
                    v.analysis = Some(a);
                }
                "affects" => {
                    v.affects = x.list(e, "target", |x, _, e| {
                        let mut t = RawAffect::default();
                        if !e {
                            x.children(|x, name, s, e| {
                                match name {
                                    "ref" => t.reference = Some(x.text(e)?),
                                    "versions" => {
                                        t.versions = x.list(e, "version", |x, _, e| {
                                            let mut av = RawAffectedVersion::default();
                                            if !e {
                                                x.children(|x, name, s, e| {
                                                    match name {
                                                        "version" => av.version = Some(x.text(e)?),
                                                        "range" => av.range = Some(x.text(e)?),
                                                        "status" => av.status = Some(x.text(e)?),
                                                        _ => x.skip(&s, e)?,
                                                    }
                                                    Ok(())
                                                })?;
                                            }
                                            Ok(av)
                                        })?;
                                    }
                                    _ => x.skip(&s, e)?,
                                }
                                Ok(())
                            })?;
                        }
                        Ok(t)
                    })?;
                }
                _ => x.skip(&s, e)?,
            }
            Ok(())
        })?;
        Ok(v)
    }
}
