"""XLSForms for the publishing tests, written as .xlsx by openpyxl (no binaries committed): a
rapid-assessment form with a facility, a cascading select from a CSV (province -> district) and
a repeat, and variants that pyxform, ODK Validate, the visit mapping or the app refuse."""
from __future__ import annotations

import io

from openpyxl import Workbook
from PIL import Image

SURVEY_HEADER = ("type", "name", "label", "required", "relevant", "constraint", "calculation",
                 "choice_filter", "appearance")
RAPID_SURVEY = [
    ("start", "started_at", "", "", "", "", "", "", ""),
    ("end", "ended_at", "", "", "", "", "", "", ""),
    ("select_one_from_file facilities.csv", "facility", "Facility", "yes", "", "", "", "", ""),
    ("begin_group", "access", "Access", "", "", "", "", "", ""),
    ("select_one access", "obtained", "Access obtained", "yes", "", "", "", "", ""),
    ("text", "denied_reason", "Why not full?", "yes", "${obtained} != 'full'", "", "", "", ""),
    ("end_group", "", "", "", "", "", "", "", ""),
    ("select_one province", "province", "Province of origin", "yes", "", "", "", "", ""),
    ("select_one_from_file districts.csv", "district", "District of origin", "yes", "", "", "",
     "province=${province}", ""),
    ("integer", "arrivals", "Arrivals today", "yes", "", ". >= 0", "", "", ""),
    ("begin_repeat", "family", "Family", "", "", "", "", "", ""),
    ("integer", "members", "Members", "yes", "", ". > 0", "", "", ""),
    ("select_one yes_no", "shelter", "Has shelter?", "", "", "", "", "", ""),
    ("end_repeat", "", "", "", "", "", "", "", ""),
    ("text", "comment", "Anything else", "", "", "", "", "", ""),
]
CHOICES = [
    ("access", "full", "Full"), ("access", "partial", "Partial"), ("access", "denied", "Denied"),
    ("province", "herat", "Herat"), ("province", "nangarhar", "Nangarhar"),
    ("yes_no", "yes", "Yes"), ("yes_no", "no", "No"),
]
DISTRICTS_CSV = (b"name,label,province\n"
                 b"injil,Injil,herat\nguzara,Guzara,herat\n"
                 b"momand_dara,Momand Dara,nangarhar\nbehsud,Behsud,nangarhar\n")


def workbook(survey=None, choices=None, settings=None, header=SURVEY_HEADER,
             choices_header=("list_name", "name", "label")) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "survey"
    sheet.append(list(header))
    for row in RAPID_SURVEY if survey is None else survey:
        sheet.append(list(row))
    chosen = book.create_sheet("choices")
    chosen.append(list(choices_header))
    for row in CHOICES if choices is None else choices:
        chosen.append(list(row))
    settings = {"form_id": "rapid_assessment", "form_title": "Rapid assessment",
                "version": "2026120101"} if settings is None else settings
    if settings:
        sheet_settings = book.create_sheet("settings")
        sheet_settings.append(list(settings))
        sheet_settings.append(list(settings.values()))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rapid(version: str = "2026120101", **changes) -> bytes:
    return workbook(settings={"form_id": "rapid_assessment", "form_title": "Rapid assessment",
                              "version": version}, **changes)


def image(fmt: str, size=(40, 30), exif: bool = False) -> bytes:
    picture = Image.new("RGB", size, (200, 120, 40))
    out = io.BytesIO()
    if exif:
        tags = Image.Exif()
        tags[0x010F] = "TellTaleCamera"  # Make
        tags[0x8825] = {2: (34.0, 20.0, 0.0)}  # GPS latitude: where the picture was taken
        picture.save(out, fmt, exif=tags.tobytes())
    else:
        picture.save(out, fmt)
    return out.getvalue()


def pictured() -> bytes:
    """The province question and its Herat choice show an image (the XLSForm `image` column,
    and a language's own with media::image::English (en))."""
    survey = [(*row, "province.png" if row[1] == "province" else "")
              for row in RAPID_SURVEY]
    choices = [(*row, "herat.jpg" if row[1] == "herat" else "",
                "herat_en.webp" if row[1] == "herat" else "") for row in CHOICES]
    return rapid(survey=survey, header=(*SURVEY_HEADER, "image"),
                  choices=choices, choices_header=("list_name", "name", "label", "image",
                                                   "media::image::English (en)"))
