"""The brief's own words in English, Dari and Pashto. Labels of the method (dimensions, rings,
red flags, states) come from the app's catalogues (same msgids as the pages), incident types
from server/data/incident_types.csv."""
from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from flask_babel import force_locale, gettext

LANGUAGES = {"en": ("en", "ltr"), "fa": ("fa_AF", "rtl"), "ps": ("ps", "rtl")}

TEXT = {
    "title": ("Monitoring brief", "گزارش مختصر نظارت", "د څارنې لنډ راپور"),
    "period": ("Period", "دوره", "موده"),
    "scope": ("Scope", "ساحه", "ساحه"),
    "all": ("All facilities", "همه مراکز", "ټول مرکزونه"),
    "internal": ("Internal — not for distribution", "داخلی — برای نشر نیست",
                 "داخلي — د خپرولو لپاره نه دی"),
    "publication": ("For publication", "برای نشر", "د خپرولو لپاره"),
    "map": ("Facilities by red flags and worst dimension", "مراکز بر اساس پرچم سرخ و بدترین بُعد",
            "مرکزونه د سور بیرغ او تر ټولو خراب اړخ له مخې"),
    "incidents": ("Incidents by type and month", "رویدادها بر اساس نوع و ماه",
                  "پېښې د ډول او میاشت له مخې"),
    "type": ("Type", "نوع", "ډول"),
    "total": ("Total", "مجموع", "ټول"),
    "previous": ("Previous period", "دوره قبلی", "تېره موده"),
    "change": ("Change", "تغییر", "بدلون"),
    "by_state": ("State responsible", "دولت مسئول", "مسؤل دولت"),
    "by_place": ("Incidents by place", "رویدادها بر اساس مکان", "پېښې د ځای له مخې"),
    "place": ("Place", "مکان", "ځای"),
    "count": ("Count", "تعداد", "شمېر"),
    "findings": ("Red flags and the state responsible", "پرچم‌های سرخ و دولت مسئول",
                 "سور بیرغونه او مسؤل دولت"),
    "finding": ("Finding", "یافته", "موندنه"),
    "facility": ("Facility", "مرکز", "مرکز"),
    "indicators": ("Indicators most often below standard", "شاخص‌هایی که بیشتر پایین‌تر از معیارند",
                   "هغه شاخصونه چې ډېر ځله له معیار ټیټ دي"),
    "indicator": ("Indicator", "شاخص", "شاخص"),
    "not_met": ("Not met", "برآورده نشده", "نه دی پوره شوی"),
    "partly_met": ("Partly met", "تا حدی برآورده", "تر یوه بریده پوره"),
    "access": ("Access denied", "دسترسی رد شده", "لاسرسی رد شوی"),
    "visits": ("Visits", "بازدیدها", "لیدنې"),
    "denied": ("Denied", "رد شده", "رد شوی"),
    "partial": ("Partial", "جزئی", "نیمګړی"),
    "timeline": ("Assessment timeline", "جدول زمانی ارزیابی", "د ارزونې مهالوېش"),
    "date": ("Date", "تاریخ", "نېټه"),
    "ring": ("Ring", "حلقه", "کړۍ"),
    "evidence": ("Evidence", "شواهد", "شواهد"),
    "incidents_n": ("Incidents", "رویدادها", "پېښې"),
    "quiet": ("{n} other facilities in scope had no visit and no incident in this period (grey "
              "dots on the map).",
              "{n} مرکز دیگر در این ساحه در این دوره نه بازدید داشتند و نه رویداد (نقطه‌های "
              "خاکستری روی نقشه).",
              "په دې ساحه کې {n} نورو مرکزونو په دې موده کې نه کتنه درلوده او نه پېښه (پر نقشه "
              "خړ ټکي)."),
    "none": ("None in this period.", "در این دوره هیچ.", "په دې موده کې هېڅ نه."),
    "methods": ("Methods and data protection", "روش‌ها و حفاظت از داده‌ها",
                "کړنلارې او د معلوماتو ساتنه"),
    "methods_text": (
        "Facilities are rated on four dimensions (1 poor to 4 good) by trained monitors; red "
        "flags are shown on their own and never averaged away. The map marks each facility by "
        "its latest visit in the period. Counts are of reported incidents, not of all events.",
        "مراکز توسط ناظران آموزش‌دیده در چهار بُعد (۱ ضعیف تا ۴ خوب) ارزیابی می‌شوند؛ پرچم‌های سرخ "
        "جداگانه نشان داده می‌شوند و هرگز در میانگین گم نمی‌شوند. نقشه هر مرکز را بر اساس آخرین "
        "بازدید آن در این دوره نشان می‌دهد. اعداد، رویدادهای گزارش‌شده‌اند، نه همه رویدادها.",
        "مرکزونه د روزل شویو څارونکو لخوا په څلورو اړخونو (۱ کمزوری تر ۴ ښه) ارزول کېږي؛ سور "
        "بیرغونه جلا ښودل کېږي او هېڅکله په منځنۍ کې نه ورکېږي. نقشه هر مرکز د دې مودې د وروستۍ "
        "لیدنې له مخې ښيي. شمېرې د راپور شویو پېښو دي، نه د ټولو پېښو."),
    "protection_internal": (
        "Internal: the organisation's own reports, all review states but rejected. Do not "
        "forward: it can identify places and small groups of people.",
        "داخلی: گزارش‌های خود سازمان، همه حالت‌های بررسی به جز ردشده. ارسال نکنید: می‌تواند مکان‌ها "
        "و گروه‌های کوچک مردم را شناسایی کند.",
        "داخلي: د سازمان خپل راپورونه، د رد شویو پرته د بیاکتنې ټول حالتونه. مه یې لېږئ: ځایونه "
        "او د خلکو وړې ډلې پېژندلی شي."),
    "protection_published": (
        "Published through a sharing policy: only incidents it allows (consent, review status, "
        "embargo of {embargo} days), places no finer than {precision}, counts from 1 to {k1} "
        "shown as \u201c<{k}\u201d (and a neighbouring count withheld, \u201c×\u201d, where a "
        "total would reveal it).",
        "از طریق یک سیاست اشتراک منتشر شده: فقط رویدادهایی که اجازه می‌دهد (رضایت، وضعیت بررسی، "
        "تأخیر {embargo} روزه)، مکان‌ها نه دقیق‌تر از {precision}، اعداد ۱ تا {k1} به صورت "
        "\u201c<{k}\u201d نشان داده می‌شوند.",
        "د شریکولو د یوې پالیسۍ له لارې خپور شوی: یوازې هغه پېښې چې اجازه یې ورکوي (رضایت، د "
        "بیاکتنې حالت، {embargo} ورځنی ځنډ)، ځایونه له {precision} نه دقیق نه، شمېرې له ۱ تر {k1} "
        "د \u201c<{k}\u201d په بڼه ښودل کېږي."),
    "timeline_missing": ("The per-facility timeline is not part of this edition.",
                         "جدول زمانی هر مرکز در این نسخه نیست.",
                         "د هر مرکز مهالوېش په دې نسخه کې نشته."),
    "summary": ("Facilities visited or with incidents in the period (ratings at the latest visit)",
                "مراکزی که در این دوره بازدید شدند یا رویداد داشتند (درجه‌ها در آخرین بازدید)",
                "هغه مرکزونه چې په دې موده کې ولیدل شول یا پېښې یې درلودې "
                "(درجې په وروستۍ لیدنه کې)"),
    "section_col": ("Section", "بخش", "برخه"),
    "concern_title": ("Facilities of concern", "مراکز نگران‌کننده", "اندېښمن مرکزونه"),
    "concern_text": (
        "{total} of the {visited} facilities visited were of concern in this period (a red flag: "
        "{red_flag}; a grave incident: {grave}; access denied: {denied}; a dimension rated 1 or 2 "
        "at the latest visit: {low_rating}). The gravest have a section below (§ in the table).",
        "{total} مرکز از {visited} مرکز بازدیدشده در این دوره نگران‌کننده بودند (پرچم سرخ: "
        "{red_flag}؛ رویداد شدید: {grave}؛ دسترسی رد شده: {denied}؛ بُعدی با درجه ۱ یا ۲ در آخرین "
        "بازدید: {low_rating}). شدیدترین‌ها در پایین بخشی جداگانه دارند (§ در جدول).",
        "له {visited} لیدل شویو مرکزونو څخه {total} په دې موده کې اندېښمن وو (سور بیرغ: "
        "{red_flag}؛ سخته پېښه: {grave}؛ لاسرسی رد شوی: {denied}؛ په وروستۍ لیدنه کې ۱ یا ۲ درجه "
        "اړخ: {low_rating}). تر ټولو سخت یې لاندې ځانته برخه لري (په جدول کې §)."),
    "concern_more": (
        "{n} more facilities of concern have no section of their own, so that the brief stays "
        "readable; they are in the table above and in the HTML edition.",
        "{n} مرکز نگران‌کننده دیگر برای خوانا ماندن این گزارش بخش جداگانه ندارند؛ آن‌ها در جدول "
        "بالا و در نسخه HTML آمده‌اند.",
        "نور {n} اندېښمن مرکزونه د دې لپاره چې راپور د لوستلو وړ پاتې شي ځانته برخه نه لري؛ "
        "هغوی په پورتني جدول او د HTML په نسخه کې دي."),
    "more_rows": ("{n} more rows are in the HTML edition of this brief.",
                  "{n} ردیف دیگر در نسخه HTML این گزارش آمده است.",
                  "نور {n} کتارونه د دې راپور د HTML په نسخه کې دي."),
    "generated": ("Generated", "تهیه شده", "جوړ شوی"),
}


def words(language: str) -> dict[str, str]:
    index = list(LANGUAGES).index(language)
    return {key: values[index] for key, values in TEXT.items()}


def direction(language: str) -> str:
    return LANGUAGES[language][1]


@lru_cache(maxsize=1)
def _types() -> dict[str, tuple[str, str, str]]:
    path = Path(__file__).resolve().parents[1] / "data" / "incident_types.csv"
    with path.open(encoding="utf-8") as handle:
        return {r["code"]: (r["label_en"], r["label_prs"], r["label_ps"])
                for r in csv.DictReader(handle)}


def type_labels(language: str) -> dict[str, str]:
    index = list(LANGUAGES).index(language)
    return {code: labels[index] for code, labels in _types().items()}


def method_labels(language: str) -> dict[str, dict[str, str]]:
    """Dimension, ring, red flag and state labels from the app's catalogues (the same msgids
    as server/web/method_labels.py, so the translations are shared)."""
    with force_locale(LANGUAGES[language][0]):
        return {
            "dimension": {"safety_treatment": gettext("Safety and treatment"),
                          "legal_protection": gettext("Legal and protection safeguards"),
                          "material_conditions": gettext("Material conditions"),
                          "return_reception": gettext("Return and reception process")},
            "ring": {"red_flag": gettext("Red flag at the last visit"),
                     "1": gettext("Worst dimension: 1 · poor"),
                     "2": gettext("Worst dimension: 2 · not sufficiently good"),
                     "insufficient": gettext(
                         "Safety or legal safeguards not judged (insufficient evidence)"),
                     "3": gettext("Worst dimension: 3 · reasonably good"),
                     "4": gettext("All dimensions: 4 · good"),
                     "none": gettext("Not assessed yet")},
            "flag": {"death": gettext("A death"),
                     "solitary_over_15_days": gettext("Solitary confinement beyond 15 days"),
                     "solitary_child": gettext("A child in solitary confinement"),
                     "force_or_torture": gettext("Force or torture reported first-hand"),
                     "unaccompanied_child_detained": gettext("An unaccompanied child detained"),
                     "children_detained": gettext("Children detained"),
                     "asylum_denied": gettext("Access to asylum denied"),
                     "at_risk_returned": gettext("People with at-risk profiles returned")},
            "evidence": {"observed": gettext("observed by the monitor"),
                         "interview_private": gettext("interview in private"),
                         "interview_not_private": gettext("interview, not in private"),
                         "staff_statement": gettext("staff statement"),
                         "register_or_document": gettext("register or document seen")},
            "state": {"iran": gettext("Iran"), "pakistan": gettext("Pakistan"),
                      "de_facto_authorities": gettext("de facto authorities (Afghanistan)"),
                      "other": gettext("other"), "unknown": gettext("unknown")},
        }
