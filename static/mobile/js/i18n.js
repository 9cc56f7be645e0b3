// The app's own words (the form's questions come with the form). Dari and Pashto were written
// by a non-native speaker: listed for review in /work/notes/readme-mobile.md.
const RTL = new Set(["prs", "ps", "fa", "ar", "ur"]);
const LOCALES = { en: "en-GB", prs: "fa-AF", ps: "ps-AF" };

const STRINGS = {
  en: {
    app_name: "Nezarat",
    signin_title: "Sign in this phone",
    signin_help: "Scan the QR code your coordinator shows you, or paste the device token.",
    token_label: "Device token or QR code content",
    scan_qr: "Scan QR code (photo)",
    pin_label: "Choose a PIN (at least 6 digits)",
    pin_repeat: "Repeat the PIN",
    pin_help: "The PIN encrypts everything this app keeps on the phone. Without it nothing can be read, not even by you: there is no reset.",
    sign_in: "Sign in",
    checking: "Checking the token and downloading the forms…",
    bad_token: "This is not a device token or an ODK Collect QR code.",
    token_refused: "The server refused this token (expired or revoked?). Ask your coordinator for a new one.",
    need_online: "Signing in needs a connection once.",
    pins_differ: "The two PINs differ.",
    pin_short: "The PIN needs at least 6 digits.",
    unlock_title: "Enter your PIN",
    unlock: "Unlock",
    wrong_pin: "Wrong PIN. Attempts left before everything is erased: {n}",
    wipe: "Wipe this phone",
    wipe_countdown: "Erasing all reports, photos and the token in {n} s",
    cancel: "Cancel",
    wiped: "Everything was erased.",
    new_visit: "New: {form}",
    sealed_key: "sealed for key",
    outbox: "Reports on this phone",
    empty: "No reports on this phone.",
    status_draft: "Draft",
    status_queued: "Waiting to upload",
    status_uploading: "Uploading…",
    status_sent: "Sent, and deleted from this phone",
    status_rejected: "Refused by the server",
    status_auth: "Token refused: paste a new token",
    retry_at: "next try {time}",
    open: "Continue",
    delete: "Delete",
    confirm_delete: "Delete this draft?",
    sync_now: "Upload now",
    lock: "Lock",
    online: "Online",
    offline: "Offline",
    save_draft: "Save and close",
    finish: "Finish and send",
    back: "Back",
    required: "This answer is required.",
    constraint: "This answer is not allowed.",
    integer: "Enter a whole number.",
    decimal: "Enter a number.",
    fix_errors: "Some answers need attention.",
    add_repeat: "Add: {label}",
    remove_repeat: "Remove",
    get_location: "Get location",
    wait_better: "Wait for a better fix",
    use_location: "Use this position",
    accuracy: "Accuracy: {m} m",
    locating: "Finding position…",
    location_error: "No position: {msg}",
    latlon: "Latitude {lat}, longitude {lon}",
    take_photo: "Take photo",
    remove_photo: "Remove photo",
    photo_failed: "This photo could not be read.",
    processing_photo: "Preparing photo…",
    no_forms: "No form on this phone yet. Connect once to download it.",
    select_placeholder: "Choose…",
    filter: "Search",
    unsupported: "The app cannot run this form exactly as ODK Collect does, so it does not open it ({what}). Fill it in ODK Collect, or ask your coordinator.",
  },
  prs: {
    app_name: "نظارت",
    signin_title: "ورود با این تلفن",
    signin_help: "کد QR را که هماهنگ‌کننده به شما نشان می‌دهد اسکن کنید، یا توکن دستگاه را اینجا بچسبانید.",
    token_label: "توکن دستگاه یا محتوای کد QR",
    scan_qr: "اسکن کد QR (عکس)",
    pin_label: "یک PIN انتخاب کنید (حداقل ۶ رقم)",
    pin_repeat: "PIN را دوباره وارد کنید",
    pin_help: "PIN همه چیزهایی را که این برنامه در تلفن نگه می‌دارد رمزگذاری می‌کند. بدون آن هیچ چیزی خوانده نمی‌شود، حتی توسط شما؛ راهی برای بازیابی آن نیست.",
    sign_in: "ورود",
    checking: "در حال بررسی توکن و دانلود فورم‌ها…",
    bad_token: "این توکن دستگاه یا کد QR برنامه ODK Collect نیست.",
    token_refused: "سرور این توکن را نپذیرفت (منقضی یا لغو شده؟). از هماهنگ‌کننده توکن جدید بخواهید.",
    need_online: "برای ورود یک بار به انترنت نیاز است.",
    pins_differ: "دو PIN با هم یکسان نیستند.",
    pin_short: "PIN باید حداقل ۶ رقم داشته باشد.",
    unlock_title: "PIN خود را وارد کنید",
    unlock: "باز کردن",
    wrong_pin: "PIN نادرست است. تلاش‌های باقی‌مانده پیش از پاک شدن همه چیز: {n}",
    wipe: "پاک کردن همه چیز از این تلفن",
    wipe_countdown: "همه گزارش‌ها، عکس‌ها و توکن در {n} ثانیه پاک می‌شوند",
    cancel: "لغو",
    wiped: "همه چیز پاک شد.",
    new_visit: "جدید: {form}",
    sealed_key: "مهر و موم با کلید",
    outbox: "گزارش‌های موجود در این تلفن",
    empty: "هیچ گزارشی در این تلفن نیست.",
    status_draft: "پیش‌نویس",
    status_queued: "در انتظار ارسال",
    status_uploading: "در حال ارسال…",
    status_sent: "ارسال شد و از این تلفن پاک شد",
    status_rejected: "سرور آن را نپذیرفت",
    status_auth: "توکن پذیرفته نشد: یک توکن جدید بچسبانید",
    retry_at: "تلاش بعدی {time}",
    open: "ادامه",
    delete: "حذف",
    confirm_delete: "این پیش‌نویس حذف شود؟",
    sync_now: "اکنون ارسال کن",
    lock: "قفل",
    online: "آنلاین",
    offline: "آفلاین",
    save_draft: "ذخیره و بستن",
    finish: "تکمیل و ارسال",
    back: "برگشت",
    required: "پاسخ به این سوال الزامی است.",
    constraint: "این پاسخ مجاز نیست.",
    integer: "یک عدد صحیح وارد کنید.",
    decimal: "یک عدد وارد کنید.",
    fix_errors: "برخی پاسخ‌ها نیاز به توجه دارند.",
    add_repeat: "افزودن: {label}",
    remove_repeat: "حذف",
    get_location: "گرفتن موقعیت",
    wait_better: "انتظار برای موقعیت دقیق‌تر",
    use_location: "استفاده از این موقعیت",
    accuracy: "دقت: {m} متر",
    locating: "در حال یافتن موقعیت…",
    location_error: "موقعیت به دست نیامد: {msg}",
    latlon: "عرض جغرافیایی {lat}، طول جغرافیایی {lon}",
    take_photo: "گرفتن عکس",
    remove_photo: "حذف عکس",
    photo_failed: "این عکس خوانده نشد.",
    processing_photo: "در حال آماده‌سازی عکس…",
    no_forms: "هنوز فورمی در این تلفن نیست. یک بار به انترنت وصل شوید تا دانلود شود.",
    select_placeholder: "انتخاب کنید…",
    filter: "جستجو",
    unsupported: "برنامه نمی‌تواند این فورم را دقیقاً مانند ODK Collect اجرا کند، پس آن را باز نمی‌کند ({what}). آن را در ODK Collect پر کنید یا از هماهنگ‌کننده خود بپرسید.",
  },
  ps: {
    app_name: "نظارت",
    signin_title: "په دې ټيليفون ننوتل",
    signin_help: "هغه QR کوډ سکن کړئ چې همغږي کوونکی يې درته ښيي، يا د وسيلې ټوکن دلته ولګوئ.",
    token_label: "د وسيلې ټوکن يا د QR کوډ منځپانګه",
    scan_qr: "QR کوډ سکن کړئ (انځور)",
    pin_label: "يو PIN وټاکئ (لږ تر لږه ۶ عددونه)",
    pin_repeat: "PIN بيا وليکئ",
    pin_help: "PIN هر هغه څه کوډ کوي چې دا اپ يې په ټيليفون کې ساتي. له هغه پرته هېڅ شی نه لوستل کېږي، حتی ستاسو لخوا هم نه؛ د بيا راګرځولو لاره نشته.",
    sign_in: "ننوتل",
    checking: "ټوکن کتل کېږي او فورمونه ښکته کېږي…",
    bad_token: "دا د وسيلې ټوکن يا د ODK Collect QR کوډ نه دی.",
    token_refused: "سرور دا ټوکن ونه مانه (پای ته رسېدلی يا لغوه شوی؟). له همغږي کوونکي نوی ټوکن وغواړئ.",
    need_online: "د ننوتلو لپاره يو ځل انټرنېټ ته اړتيا ده.",
    pins_differ: "دواړه PIN يو شان نه دي.",
    pin_short: "PIN بايد لږ تر لږه ۶ عددونه ولري.",
    unlock_title: "خپل PIN وليکئ",
    unlock: "خلاصول",
    wrong_pin: "PIN غلط دی. د ټولو شيانو له پاکېدو مخکې پاتې هڅې: {n}",
    wipe: "له دې ټيليفون څخه هر څه پاک کړئ",
    wipe_countdown: "ټول راپورونه، انځورونه او ټوکن به په {n} ثانيو کې پاک شي",
    cancel: "لغوه",
    wiped: "هر څه پاک شول.",
    new_visit: "نوی: {form}",
    sealed_key: "په کیلي مهر شوی",
    outbox: "په دې ټيليفون کې راپورونه",
    empty: "په دې ټيليفون کې هېڅ راپور نشته.",
    status_draft: "مسوده",
    status_queued: "د لېږلو په تمه",
    status_uploading: "لېږل کېږي…",
    status_sent: "ولېږل شو او له دې ټيليفون څخه پاک شو",
    status_rejected: "سرور ونه مانه",
    status_auth: "ټوکن ونه منل شو: نوی ټوکن ولګوئ",
    retry_at: "بله هڅه {time}",
    open: "دوام",
    delete: "ړنګول",
    confirm_delete: "دا مسوده ړنګه شي؟",
    sync_now: "اوس يې ولېږئ",
    lock: "قلف",
    online: "آنلاين",
    offline: "آفلاين",
    save_draft: "خوندي کول او بندول",
    finish: "بشپړول او لېږل",
    back: "شاته",
    required: "دې پوښتنې ته ځواب اړين دی.",
    constraint: "دا ځواب نه منل کېږي.",
    integer: "يو بشپړ عدد وليکئ.",
    decimal: "يو عدد وليکئ.",
    fix_errors: "ځينې ځوابونه پاملرنې ته اړتيا لري.",
    add_repeat: "زيات کړئ: {label}",
    remove_repeat: "ړنګول",
    get_location: "ځای ومومئ",
    wait_better: "د لا دقيق ځای انتظار",
    use_location: "دا ځای وکاروئ",
    accuracy: "دقت: {m} متره",
    locating: "ځای موندل کېږي…",
    location_error: "ځای ونه موندل شو: {msg}",
    latlon: "عرض {lat}، طول {lon}",
    take_photo: "انځور واخلئ",
    remove_photo: "انځور ړنګ کړئ",
    photo_failed: "دا انځور ونه لوستل شو.",
    processing_photo: "انځور چمتو کېږي…",
    no_forms: "تر اوسه په دې ټيليفون کې فورم نشته. يو ځل انټرنېټ ته وصل شئ چې ښکته شي.",
    select_placeholder: "وټاکئ…",
    filter: "لټون",
    unsupported: "اپ نشي کولی دا فورم لکه ODK Collect په سمه توګه وچلوي، نو يې نه پرانيزي ({what}). په ODK Collect کې يې ډک کړئ يا له خپل همغږي کوونکي وپوښتئ.",
  },
};

let current = "en";

export const LANGUAGES = Object.keys(STRINGS);
export const lang = () => current;

export function setLanguage(code) {
  current = STRINGS[code] ? code : "en";
  document.documentElement.lang = current;
  document.documentElement.dir = RTL.has(current) ? "rtl" : "ltr";
  // A deployment's neutral face names the app itself (server/mobile/face.py).
  const name = document.documentElement.dataset.appName || t("app_name");
  document.title = name;
  const title = document.querySelector(".bar-title");
  if (title) title.textContent = name;
  try { localStorage.setItem("lang", current); } catch (e) { /* private mode */ }
}

// More of the app's words, from another module (vault-i18n.js).
export function extend(table) {
  for (const [code, words] of Object.entries(table)) Object.assign(STRINGS[code], words);
}

export function savedLanguage() {
  try { return localStorage.getItem("lang") || "en"; } catch (e) { return "en"; }
}

export function t(key, params = {}) {
  const template = STRINGS[current][key] ?? STRINGS.en[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name) => (name in params ? params[name] : `{${name}}`));
}

export function number(value, digits = 0) {
  return new Intl.NumberFormat(LOCALES[current], { maximumFractionDigits: digits }).format(value);
}

export function time(ms) {
  return new Date(ms).toLocaleString(LOCALES[current], { dateStyle: "short", timeStyle: "short" });
}
