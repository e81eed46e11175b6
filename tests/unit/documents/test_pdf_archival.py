"""The certificate PDF carries what PDF/A-2b asks for: XMP metadata that agrees with the document
information, an sRGB output intent, the language; and it names the certificate and its issuer."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

import pypdfium2
import pytest
from PIL import ImageCms

from opcert.documents.certificate_pdf import render
from tests.unit.documents.test_certificate_pdf import make_view

NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
}


def xmp(pdf: bytes) -> ET.Element:
    packet = re.search(rb"<x:xmpmeta.*?</x:xmpmeta>", pdf, re.S)
    assert packet, "the PDF has an XMP packet"
    return ET.fromstring(packet.group(0))


def value(root: ET.Element, path: str) -> str:
    found = root.find(f".//{path}", NS)
    assert found is not None, path
    return found.text or ""


@pytest.mark.parametrize("layout", ["a4", "card"])
def test_the_xmp_metadata_claims_pdf_a_2b_and_repeats_the_document_information(layout):
    view = make_view(name="阿卜杜·热合曼", authority="新疆维吾尔自治区应急管理厅 & <测试>")
    pdf = render(view, layout)
    info = pypdfium2.PdfDocument(pdf).get_metadata_dict()
    root = xmp(pdf)
    assert value(root, "pdfaid:part") == "2"
    assert value(root, "pdfaid:conformance") == "B"
    assert value(root, "dc:title/rdf:Alt/rdf:li") == info["Title"]
    assert value(root, "dc:creator/rdf:Seq/rdf:li") == info["Author"] == view.authority
    assert value(root, "dc:description/rdf:Alt/rdf:li") == info["Subject"] == view.number
    assert value(root, "pdf:Producer") == info["Producer"]
    assert value(root, "xmp:CreatorTool") == info["Creator"]
    assert value(root, "pdf:Keywords") == info["Keywords"]
    created = info["CreationDate"]  # D:YYYYMMDDHHmmSS+HH'mm'
    stamp = value(root, "xmp:CreateDate")
    assert stamp.replace("-", "").replace(":", "").replace("T", "")[:14] == created[2:16]


def test_the_metadata_stream_is_not_compressed_and_the_catalogue_points_at_it():
    pdf = render(make_view())
    metadata = re.search(rb"<<[^>]*?/Subtype /XML[^>]*?>>", pdf, re.S)
    assert metadata and b"/Filter" not in metadata.group(0)
    catalog = re.search(rb"<<[^>]*?/Type /Catalog.*?>>", pdf, re.S)
    assert catalog
    assert b"/Metadata" in catalog.group(0)
    assert b"/OutputIntents" in catalog.group(0)
    assert b"/Lang (zh-CN)" in catalog.group(0)


def test_the_output_intent_is_srgb_with_its_icc_profile():
    pdf = render(make_view())
    assert b"/S /GTS_PDFA1" in pdf
    assert b"/OutputConditionIdentifier (sRGB)" in pdf
    stream = re.search(rb"<<\s*/Length (\d+) /N 3\s*>>\s*stream\n", pdf)
    assert stream, "the output intent's profile is an RGB ICC stream"
    profile = pdf[stream.end() : stream.end() + int(stream.group(1))]
    description = ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(profile)))
    assert "sRGB" in description


def test_the_subject_is_the_certificate_number_and_the_safety_manager_title_its_own():
    view = make_view(typ="SM")
    info = pypdfium2.PdfDocument(render(view)).get_metadata_dict()
    assert info["Title"] == f"安全生产知识和管理能力考核合格证 {view.number}"
    assert info["Subject"] == view.number
    assert info["Author"] == view.authority


def test_the_file_has_a_binary_header_comment_and_a_file_identifier():
    pdf = render(make_view())
    assert all(byte > 127 for byte in pdf.split(b"\n")[1][1:5])
    assert re.search(rb"/ID\s*\[", pdf)
    assert b"/Encrypt" not in pdf
