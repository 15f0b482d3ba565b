//! SPDX 2.2/2.3 tag-value: `Tag: value` lines, multi-line values in `<text>…</text>`,
//! read into the same raw structs as SPDX JSON.
//!
//! A `PackageName:` line starts a package, and the package's tags follow it until the
//! next `PackageName:`, `FileName:`, `SnippetSPDXID:` or `LicenseID:` starts another
//! section. Tags Vigil does not use are skipped; errors give the line. A line that is not
//! `Tag: value` or an unclosed `<text>` is malformed; a `PackageChecksum`,
//! `ExternalRef` or `Relationship` value of the wrong shape is only skipped, with a
//! warning.

use std::borrow::Cow;

use crate::jsonutil::{BorrowedStr, Str};
use crate::spdx::{
    RawChecksum, RawDoc, RawElement, RawExternalRef, RawPackage, RawRelationship, convert,
};
use crate::{Bom, Error, Format, Limits, Warning};

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
            "Created" => {
                doc.creation_info.created = Some(value);
                doc.creation_info.created_line = line_no;
            }
            "Relationship" => {
                let mut parts = value.split_whitespace();
                let (Some(from), Some(kind), Some(to)) = (parts.next(), parts.next(), parts.next())
                else {
                    doc.warnings.push(Warning::new(
                        format!("line {line_no}: Relationship"),
                        format!(
                            "{value:?} is not `ELEMENT TYPE ELEMENT`: the relationship is skipped"
                        ),
                    ));
                    continue;
                };
                doc.relationships.push(RawRelationship {
                    line: line_no,
                    from: Some(Cow::Owned(from.to_owned())),
                    kind: Some(Cow::Owned(kind.to_owned())),
                    to: Some(Cow::Owned(to.to_owned())),
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
            "FileName" | "LicenseID" => section = Section::Other,
            "SnippetSPDXID" => {
                section = Section::Other;
                doc.snippets.push(RawElement {
                    spdx_id: Some(value),
                });
            }
            "SPDXID" => match section {
                Section::Document => doc.spdx_id = Some(value),
                Section::Package => {
                    if let Some(i) = pkg(&mut doc)
                        && doc.packages[i].spdx_id.is_none()
                    {
                        doc.packages[i].spdx_id = Some(value);
                        doc.packages[i].spdx_id_line = line_no;
                    }
                }
                // A file's: relationships may name it.
                Section::Other => doc.files.push(RawElement {
                    spdx_id: Some(value),
                }),
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
                            doc.warnings.push(Warning::new(
                                format!("line {line_no}: PackageChecksum"),
                                format!("{value:?} is not `ALGORITHM: hex`: checksum ignored"),
                            ));
                            continue;
                        };
                        p.checksums.push(RawChecksum {
                            line: line_no,
                            algorithm: Some(Cow::Owned(algorithm.trim().to_owned())),
                            value: Some(Cow::Owned(hex.trim().to_owned())),
                        });
                    }
                    "ExternalRef" => {
                        let mut parts = value.split_whitespace();
                        let (Some(category), Some(kind), Some(locator)) =
                            (parts.next(), parts.next(), parts.next())
                        else {
                            doc.warnings.push(Warning::new(
                                format!("line {line_no}: ExternalRef"),
                                format!("{value:?} is not `CATEGORY TYPE LOCATOR`: ignored"),
                            ));
                            continue;
                        };
                        p.external_refs.push(RawExternalRef {
                            category: Some(Cow::Owned(category.to_owned())),
                            kind: Some(Cow::Owned(kind.to_owned())),
                            locator: Some(Cow::Owned(locator.to_owned())),
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
