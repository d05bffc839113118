"""Write briefgen/templates/reference.docx, the house style of the Word output, from pandoc's own reference document.

    .venv/bin/python scripts/make_reference_docx.py

pandoc takes only the styles, the theme, the fonts table and the page set-up of a reference document; briefgen's
Word writer (briefgen/docx.py) adds the running header and footer itself. The style follows the PDF's
(briefing.css): a serif body, sans-serif headings in the accent colour, small footnotes, ruled tables. The PDF's
Charis SIL and Inter are not embedded in Word files, so the body is Cambria and the headings Calibri, which
every copy of Microsoft Office has (LibreOffice shows the metric-compatible Caladea and Carlito when installed).
The output is byte-identical from one run to the next.
"""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from pathlib import Path

from lxml import etree

OUT = Path(__file__).resolve().parent.parent / "briefgen" / "templates" / "reference.docx"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
SERIF, SANS = "Cambria", "Calibri"
INK, MUTED, RULE, ACCENT, SHADE = "1B1F24", "5B6470", "C9CED6", "1F3A5F", "EEF2F7"


def fonts(face: str) -> str:
    return f'<w:rFonts w:ascii="{face}" w:hAnsi="{face}" w:cs="{face}" w:eastAsiaTheme="minorEastAsia"/>'


# Each style's paragraph and run properties, replacing pandoc's (children in the schema's order).
STYLES: dict[str, tuple[str | None, str | None]] = {
    "Normal": (None, None),
    "BodyText": ('<w:spacing w:before="0" w:after="120" w:line="276" w:lineRule="auto"/>', None),
    "FirstParagraph": (None, None),
    "Compact": ('<w:spacing w:before="0" w:after="60"/>', None),
    "Title": (
        '<w:keepNext/><w:spacing w:before="0" w:after="80" w:line="240" w:lineRule="auto"/><w:jc w:val="left"/>',
        f'{fonts(SANS)}<w:b/><w:bCs/><w:color w:val="{INK}"/><w:sz w:val="44"/><w:szCs w:val="44"/>',
    ),
    "Subtitle": (
        '<w:keepNext/><w:spacing w:before="0" w:after="120" w:line="264" w:lineRule="auto"/><w:jc w:val="left"/>',
        f'{fonts(SERIF)}<w:b w:val="0"/><w:bCs w:val="0"/><w:i/><w:iCs/><w:color w:val="{MUTED}"/>'
        '<w:sz w:val="26"/><w:szCs w:val="26"/>',
    ),
    "Author": (
        '<w:keepNext/><w:spacing w:before="0" w:after="60"/><w:jc w:val="left"/>',
        f'{fonts(SANS)}<w:b w:val="0"/><w:bCs w:val="0"/><w:color w:val="{MUTED}"/><w:sz w:val="17"/><w:szCs w:val="17"/>',
    ),
    "Date": (
        f'<w:keepNext/><w:pBdr><w:bottom w:val="single" w:sz="12" w:space="8" w:color="{ACCENT}"/></w:pBdr>'
        '<w:spacing w:before="0" w:after="360"/><w:jc w:val="left"/>',
        f'{fonts(SANS)}<w:b w:val="0"/><w:bCs w:val="0"/><w:color w:val="{MUTED}"/><w:sz w:val="17"/><w:szCs w:val="17"/>',
    ),
    "Heading1": (
        f'<w:keepNext/><w:keepLines/><w:pBdr><w:top w:val="single" w:sz="4" w:space="6" w:color="{RULE}"/></w:pBdr>'
        '<w:spacing w:before="360" w:after="120"/><w:outlineLvl w:val="0"/>',
        f'{fonts(SANS)}<w:b/><w:bCs/><w:color w:val="{ACCENT}"/><w:sz w:val="28"/><w:szCs w:val="28"/>',
    ),
    "Heading2": (
        '<w:keepNext/><w:keepLines/><w:spacing w:before="240" w:after="80"/><w:outlineLvl w:val="1"/>',
        f'{fonts(SANS)}<w:b/><w:bCs/><w:color w:val="{ACCENT}"/><w:sz w:val="22"/><w:szCs w:val="22"/>',
    ),
    "Heading3": (
        '<w:keepNext/><w:keepLines/><w:spacing w:before="200" w:after="60"/><w:outlineLvl w:val="2"/>',
        f'{fonts(SANS)}<w:b/><w:bCs/><w:color w:val="{INK}"/><w:sz w:val="20"/><w:szCs w:val="20"/>',
    ),
    "Heading4": (
        '<w:keepNext/><w:keepLines/><w:spacing w:before="160" w:after="40"/><w:outlineLvl w:val="3"/>',
        f'{fonts(SANS)}<w:b/><w:bCs/><w:i w:val="0"/><w:color w:val="{INK}"/><w:sz w:val="20"/><w:szCs w:val="20"/>',
    ),
    "FootnoteText": (
        '<w:spacing w:before="0" w:after="40" w:line="240" w:lineRule="auto"/>',
        '<w:sz w:val="16"/><w:szCs w:val="16"/>',
    ),
    "FootnoteReference": (
        None, f'{fonts(SANS)}<w:b/><w:bCs/><w:color w:val="{ACCENT}"/><w:vertAlign w:val="superscript"/>',
    ),
    "Hyperlink": (None, f'<w:color w:val="{ACCENT}"/>'),
    "BlockText": ('<w:spacing w:before="100" w:after="100"/><w:ind w:left="480" w:right="480" w:firstLine="0"/>', None),
}

TABLE_STYLE = f"""<w:style xmlns:w="{W}" w:type="table" w:default="1" w:styleId="Table">
  <w:name w:val="Table"/><w:basedOn w:val="TableNormal"/><w:uiPriority w:val="59"/><w:qFormat/>
  <w:pPr><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>
  <w:rPr>{fonts(SANS)}<w:sz w:val="17"/><w:szCs w:val="17"/></w:rPr>
  <w:tblPr>
    <w:tblInd w:w="0" w:type="dxa"/>
    <w:tblBorders>
      <w:top w:val="single" w:sz="8" w:space="0" w:color="{ACCENT}"/>
      <w:bottom w:val="single" w:sz="8" w:space="0" w:color="{ACCENT}"/>
      <w:insideH w:val="single" w:sz="4" w:space="0" w:color="{RULE}"/>
    </w:tblBorders>
    <w:tblCellMar>
      <w:top w:w="45" w:type="dxa"/><w:left w:w="85" w:type="dxa"/>
      <w:bottom w:w="45" w:type="dxa"/><w:right w:w="85" w:type="dxa"/>
    </w:tblCellMar>
  </w:tblPr>
  <w:tblStylePr w:type="firstRow">
    <w:rPr><w:b/><w:bCs/></w:rPr>
    <w:tblPr/>
    <w:tcPr>
      <w:tcBorders><w:bottom w:val="single" w:sz="8" w:space="0" w:color="{ACCENT}"/></w:tcBorders>
      <w:shd w:val="clear" w:color="auto" w:fill="{SHADE}"/>
      <w:vAlign w:val="bottom"/>
    </w:tcPr>
  </w:tblStylePr>
</w:style>"""

RUNNING = f'{fonts(SANS)}<w:color w:val="{MUTED}"/><w:sz w:val="15"/><w:szCs w:val="15"/>'
EXTRA_STYLES = [
    f"""<w:style xmlns:w="{W}" w:type="paragraph" w:customStyle="1" w:styleId="Kicker"><w:name w:val="Kicker"/>
  <w:basedOn w:val="Normal"/><w:next w:val="Title"/><w:qFormat/><w:pPr><w:keepNext/><w:spacing w:before="0" w:after="60"/></w:pPr>
  <w:rPr>{fonts(SANS)}<w:b/><w:bCs/><w:caps/><w:color w:val="{ACCENT}"/><w:spacing w:val="20"/><w:sz w:val="16"/><w:szCs w:val="16"/></w:rPr>
</w:style>""",
    f"""<w:style xmlns:w="{W}" w:type="paragraph" w:styleId="Header"><w:name w:val="header"/><w:basedOn w:val="Normal"/>
  <w:uiPriority w:val="99"/><w:unhideWhenUsed/><w:pPr><w:spacing w:before="0" w:after="0"/></w:pPr><w:rPr>{RUNNING}</w:rPr></w:style>""",
    f"""<w:style xmlns:w="{W}" w:type="paragraph" w:styleId="Footer"><w:name w:val="footer"/><w:basedOn w:val="Normal"/>
  <w:uiPriority w:val="99"/><w:unhideWhenUsed/><w:pPr><w:spacing w:before="0" w:after="0"/></w:pPr><w:rPr>{RUNNING}</w:rPr></w:style>""",
]

# Before pPr in a w:style, in the schema's order.
STYLE_HEAD = ["name", "aliases", "basedOn", "next", "link", "autoRedefine", "hidden", "uiPriority", "semiHidden",
              "unhideWhenUsed", "qFormat", "locked", "personal", "personalCompose", "personalReply", "rsid"]


def fragment(tag: str, inner: str) -> etree._Element:
    return etree.fromstring(f'<w:{tag} xmlns:w="{W}">{inner}</w:{tag}>')


def restyle(styles: etree._Element) -> None:
    defaults = styles.find("w:docDefaults", NS)
    defaults.find("w:rPrDefault/w:rPr", NS).getparent().replace(
        defaults.find("w:rPrDefault/w:rPr", NS),
        fragment("rPr", f'{fonts(SERIF)}<w:color w:val="{INK}"/><w:sz w:val="21"/><w:szCs w:val="21"/>'
                        '<w:lang w:val="en-GB" w:eastAsia="zh-CN" w:bidi="ar-SA"/>'),
    )
    defaults.find("w:pPrDefault/w:pPr", NS).getparent().replace(
        defaults.find("w:pPrDefault/w:pPr", NS), fragment("pPr", '<w:spacing w:after="120"/>'),
    )
    for style_id, (ppr, rpr) in STYLES.items():
        style = styles.find(f"w:style[@w:styleId='{style_id}']", NS)
        assert style is not None, style_id
        for old in style.findall("w:pPr", NS) + style.findall("w:rPr", NS):
            style.remove(old)
        for hidden in style.findall("w:semiHidden", NS):  # headings 2 and 3 shown in Word's style gallery
            style.remove(hidden)
        heads = [child for child in style if etree.QName(child).localname in STYLE_HEAD]
        at = style.index(heads[-1]) + 1
        for tag, inner in (("rPr", rpr), ("pPr", ppr)):
            if inner is not None:
                style.insert(at, fragment(tag, inner))
    table = styles.find("w:style[@w:styleId='Table']", NS)
    styles.replace(table, etree.fromstring(TABLE_STYLE))
    for text in EXTRA_STYLES:
        styles.append(etree.fromstring(text))


def set_page(document: etree._Element) -> None:
    """A4 with the PDF's margins (22 mm top, 20 mm elsewhere); briefgen sets Letter when the project asks."""
    sect = document.find("w:body/w:sectPr", NS)
    for child in list(sect):
        sect.remove(child)
    for child in fragment("sectPr", (
        '<w:pgSz w:w="11906" w:h="16838"/>'
        '<w:pgMar w:top="1247" w:right="1134" w:bottom="1247" w:left="1134" w:header="624" w:footer="567" w:gutter="0"/>'
        '<w:cols w:space="720"/>'
    )):
        sect.append(child)


def calibri_in_font_table(table: etree._Element) -> None:
    if table.find(f"w:font[@w:name='{SANS}']", NS) is None:
        table.append(fragment("font", (
            '<w:panose1 w:val="020F0502020204030204"/><w:charset w:val="00"/>'
            '<w:family w:val="swiss"/><w:pitch w:val="variable"/>'
        )))
        table[-1].set(f"{{{W}}}name", SANS)


def xml(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def main() -> None:
    pandoc = __import__("pypandoc").get_pandoc_path()
    default = subprocess.run([pandoc, "--print-default-data-file", "reference.docx"], capture_output=True, check=True).stdout
    parts: dict[str, bytes] = {}
    with zipfile.ZipFile(io.BytesIO(default)) as source:
        for name in source.namelist():
            parts[name] = source.read(name)
    styles = etree.fromstring(parts["word/styles.xml"])
    restyle(styles)
    parts["word/styles.xml"] = xml(styles)
    document = etree.fromstring(parts["word/document.xml"])
    set_page(document)
    parts["word/document.xml"] = xml(document)
    table = etree.fromstring(parts["word/fontTable.xml"])
    calibri_in_font_table(table)
    parts["word/fontTable.xml"] = xml(table)
    theme = parts["word/theme/theme1.xml"].decode()
    theme = re.sub(r'(<a:majorFont>\s*<a:latin typeface=")[^"]*', rf"\g<1>{SANS}", theme)
    theme = re.sub(r'(<a:minorFont>\s*<a:latin typeface=")[^"]*', rf"\g<1>{SERIF}", theme)
    parts["word/theme/theme1.xml"] = theme.encode()
    core = parts["docProps/core.xml"].decode()
    core = re.sub(r"<dc:title>[^<]*</dc:title>", "<dc:title>briefgen reference document</dc:title>", core)
    core = re.sub(r"<dc:creator>[^<]*</dc:creator>", "<dc:creator>briefgen</dc:creator>", core)
    parts["docProps/core.xml"] = core.encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
            info.compress_type, info.create_system, info.external_attr = zipfile.ZIP_DEFLATED, 3, 0o644 << 16
            target.writestr(info, data)
    OUT.write_bytes(out.getvalue())
    print(f"wrote {OUT} ({len(out.getvalue()):,} bytes)")


if __name__ == "__main__":
    main()
