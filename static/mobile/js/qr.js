// Read a QR code from a photo of it: the browser's BarcodeDetector where there is one (Chrome on
// Android), else jsQR, loaded only now (signing in happens online), so it is not in the shell.
let jsQRLoading = null;

function loadJsQR() {
  jsQRLoading ||= new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = "/m/static/vendor/jsQR.js";
    script.onload = () => resolve(window.jsQR);
    script.onerror = () => { jsQRLoading = null; reject(new Error("QR reader unavailable")); };
    document.head.append(script);
  });
  return jsQRLoading;
}

export async function readQR(file) {
  const bitmap = await createImageBitmap(file);
  try {
    if ("BarcodeDetector" in window) {
      const found = await new window.BarcodeDetector({ formats: ["qr_code"] }).detect(bitmap);
      if (found.length) return found[0].rawValue;
    }
    const jsQR = await loadJsQR();
    const scale = Math.min(1, 1200 / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    const ctx = canvas.getContext("2d");
    ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height);
    const code = jsQR(pixels.data, pixels.width, pixels.height);
    return code ? code.data : null;
  } finally {
    bitmap.close();
  }
}
