"""What a reportlab page needs besides embedded fonts to claim PDF/A-2b (ISO 19005-2, level B).

- an XMP metadata stream in the catalogue (not compressed) that repeats the document
  information dictionary (title, author, subject, keywords, creator, producer, dates) and names
  the part and conformance (``pdfaid:part`` 2, ``pdfaid:conformance`` B);
- an output intent with an ICC profile (sRGB, made by Pillow's LittleCMS, so no file to ship),
  which makes DeviceRGB, DeviceGray and the watermark's transparency allowed;
- the document's language (``zh-CN``).
reportlab itself writes the binary comment after the header, the file identifier in the trailer,
no encryption, no LZW and no JavaScript. Not checked by a validator here (veraPDF is not
packaged for this machine): `tests/unit/documents/test_pdf_archival.py` checks each item above.
"""

from __future__ import annotations

from functools import cache
from xml.sax.saxutils import escape

from PIL import ImageCms
from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFStream, PDFString
from reportlab.pdfgen.canvas import Canvas

PRODUCER = "ReportLab PDF Library - www.reportlab.com"


@cache
def srgb_profile() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def make_archival(canvas: Canvas, keywords: str) -> None:
    """Add the XMP metadata, the sRGB output intent and the language to `canvas`'s catalogue.

    Call after the title, author, subject and creator are set; `keywords` as in the info."""
    document = canvas._doc
    document.info.producer = PRODUCER
    document.info.keywords = keywords
    catalog = document.Catalog
    catalog.Lang = PDFString("zh-CN")
    catalog.Metadata = document.Reference(_metadata(canvas))
    catalog.OutputIntents = PDFArray([document.Reference(_output_intent())])
    extra = [*type(catalog).__NoDefault__, "OutputIntents"]
    catalog.__NoDefault__ = catalog.__Refs__ = extra


def _output_intent() -> PDFDictionary:
    profile = PDFStream(dictionary=PDFDictionary({"N": 3}), content=srgb_profile(), filters=None)
    return PDFDictionary(
        {
            "Type": PDFName("OutputIntent"),
            "S": PDFName("GTS_PDFA1"),
            "OutputConditionIdentifier": PDFString("sRGB"),
            "Info": PDFString("sRGB IEC61966-2.1"),
            "DestOutputProfile": profile,
        }
    )


def _metadata(canvas: Canvas) -> PDFStream:
    # No filter: PDF/A wants the metadata readable by tools that do not parse PDF streams.
    return PDFStream(
        dictionary=PDFDictionary({"Type": PDFName("Metadata"), "Subtype": PDFName("XML")}),
        content=xmp(canvas).encode("utf-8"),
        filters=None,
    )


def _xmp_date(canvas: Canvas) -> str:
    stamp = canvas._doc._timeStamp
    year, month, day, hour, minute, second = stamp.YMDhms
    sign = "+" if stamp.dhh >= 0 else "-"
    return (
        f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}"
        f"{sign}{abs(stamp.dhh):02d}:{stamp.dmm:02d}"
    )


def xmp(canvas: Canvas) -> str:
    """The XMP packet for `canvas`: the same values as its document information dictionary."""
    info = canvas._doc.info
    title, author, subject = (escape(str(v)) for v in (info.title, info.author, info.subject))
    when = _xmp_date(canvas)
    return f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/"
 xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
<pdfaid:part>2</pdfaid:part>
<pdfaid:conformance>B</pdfaid:conformance>
<dc:format>application/pdf</dc:format>
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
<dc:creator><rdf:Seq><rdf:li>{author}</rdf:li></rdf:Seq></dc:creator>
<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{subject}</rdf:li></rdf:Alt></dc:description>
<dc:language><rdf:Bag><rdf:li>zh-CN</rdf:li></rdf:Bag></dc:language>
<pdf:Keywords>{escape(str(info.keywords))}</pdf:Keywords>
<pdf:Producer>{escape(info.producer)}</pdf:Producer>
<xmp:CreatorTool>{escape(str(info.creator))}</xmp:CreatorTool>
<xmp:CreateDate>{when}</xmp:CreateDate>
<xmp:ModifyDate>{when}</xmp:ModifyDate>
</rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""
