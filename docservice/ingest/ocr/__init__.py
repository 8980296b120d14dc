"""Optical character recognition of scanned pages and photos with Tesseract."""

from docservice.ingest.ocr.engine import OCR_UNAVAILABLE, Tesseract, find_tesseract, ocr_problem
from docservice.ingest.ocr.scans import prepare_page

__all__ = ["OCR_UNAVAILABLE", "Tesseract", "find_tesseract", "ocr_problem", "prepare_page"]
