//! SPDX 2.2/2.3 tag-value: `Tag: value` lines, multi-line values in `<text>…</text>`,
//! read into the same raw structs as SPDX JSON.
//!
//! A `PackageName:` line starts a package, and the package's tags follow it until the
//! next `PackageName:`, `FileName:`, `SnippetSPDXID:` or `LicenseID:` starts another
//! section. Tags Vigil does not use are skipped; errors give the line.

use std::borrow::Cow;

use crate::jsonutil::{BorrowedStr, Str};
use crate::spdx::{RawChecksum, RawDoc, RawExternalRef, RawPackage, RawRelationship, convert};
use crate::{Bom, Error, Format, Limits};

const FORMAT: Format = Format::SpdxTagValue;

#[derive(PartialEq)]
enum Section {
    Document,
    Package,
    Other,
}

pub(crate) fn parse(bytes: &[u8], limits: &Limits) -> Result<Bom, Error> {
    let bytes = crate::detect::strip_bom(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        Error::syntax(
            FORMAT,
            crate::error::line_of(bytes, e.valid_up_to()),
            format!("not UTF-8: {e}"),
        )
    })?;
    let mut doc = RawDoc::default();
    let mut section = Section::Document;
    let mut lines = text.lines().enumerate();
    while let Some((n, line)) = lines.next() {
        let line_no = n + 1;
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let Some((tag, value)) = trimmed.split_once(':') else {
            return Err(Error::syntax(
                FORMAT,
                format!("line {line_no}"),
                format!("{trimmed:?} is not `Tag: value`"),
            ));
        };
        let tag = tag.trim();
        let raw_value: &str = value.trim();
        let mut value: Str<'_> = Cow::Borrowed(raw_value);
        if let Some(rest) = raw_value.strip_prefix("<text>") {
            value = match rest.find("</text>") {
                Some(end) => Cow::Borrowed(&rest[..end]),
                None => {
                    let mut buf = rest.to_owned();
                    loop {
                        let Some((_, next)) = lines.next() else {
                            return Err(Error::syntax(
                                FORMAT,
                                format!("line {line_no}"),
                                format!("{tag}: <text> is never closed"),
                            ));
                        };
                        buf.push('\n');
                        if let Some(end) = next.find("</text>") {
                            buf.push_str(&next[..end]);
                            break;
                        }
                        buf.push_str(next);
                    }
                    Cow::Owned(buf)
                }
            };
        }
        let pkg = |doc: &mut RawDoc<'_>| doc.packages.len().checked_sub(1);
        match tag {
            "SPDXVersion" => doc.spdx_version = Some(value),
            "DocumentName" => doc.name = Some(value),
            "DocumentNamespace" => doc.namespace = Some(value),
            "Creator" => doc.creation_info.creators.push(BorrowedStr(value)),
            "Created" => doc.creation_info.created = Some(value),
            "Relationship" => {
                let mut parts = value.split_whitespace();
                let (Some(from), Some(kind), Some(to)) = (parts.next(), parts.next(), parts.next())
                else {
                    return Err(Error::invalid(
                        FORMAT,
                        format!("line {line_no}"),
                        format!("Relationship {value:?} is not `A TYPE B`"),
                    ));
                };
                doc.relationships.push(RawRelationship {
                    from: Cow::Owned(from.to_owned()),
                    kind: Cow::Owned(kind.to_owned()),
                    to: Cow::Owned(to.to_owned()),
                });
            }
            "PackageName" => {
                limits.check_components(doc.packages.len() + 1, || format!("line {line_no}"))?;
                section = Section::Package;
                doc.packages.push(RawPackage {
                    line: line_no,
                    name: Some(value),
                    ..RawPackage::default()
                });
            }
            "FileName" | "SnippetSPDXID" | "LicenseID" => section = Section::Other,
            "SPDXID" => match section {
                Section::Document => doc.spdx_id = Some(value),
                Section::Package => {
                    if let Some(i) = pkg(&mut doc) {
                        doc.packages[i].spdx_id.get_or_insert(value);
                    }
                }
                Section::Other => {}
            },
            _ if section == Section::Package => {
                let Some(i) = pkg(&mut doc) else { continue };
                let p = &mut doc.packages[i];
                match tag {
                    "PackageVersion" => p.version = Some(value),
                    "PackageSupplier" => p.supplier = Some(value),
                    "PackageLicenseConcluded" => p.license_concluded = Some(value),
                    "PackageLicenseDeclared" => p.license_declared = Some(value),
                    "PackageSourceInfo" => p.source_info = Some(value),
                    "PrimaryPackagePurpose" => p.purpose = Some(value),
                    "PackageChecksum" => {
                        let Some((algorithm, hex)) = value.split_once(':') else {
                            return Err(Error::invalid(
                                FORMAT,
                                format!("line {line_no}"),
                                format!("PackageChecksum {value:?} is not `ALGORITHM: hex`"),
                            ));
                        };
                        p.checksums.push(RawChecksum {
                            algorithm: Cow::Owned(algorithm.trim().to_owned()),
                            value: Cow::Owned(hex.trim().to_owned()),
                        });
                    }
                    "ExternalRef" => {
                        let mut parts = value.split_whitespace();
                        let (Some(category), Some(kind), Some(locator)) =
                            (parts.next(), parts.next(), parts.next())
                        else {
                            return Err(Error::invalid(
                                FORMAT,
                                format!("line {line_no}"),
                                format!("ExternalRef {value:?} is not `CATEGORY TYPE LOCATOR`"),
                            ));
                        };
                        p.external_refs.push(RawExternalRef {
                            category: Cow::Owned(category.to_owned()),
                            kind: Cow::Owned(kind.to_owned()),
                            locator: Cow::Owned(locator.to_owned()),
                        });
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    convert(&doc, FORMAT, limits)
}
