// Photos are redrawn on a canvas before anything is stored: the result is a new JPEG of at most
// 1600 px and 400 KB that carries pixels only (no EXIF GPS, no camera serial, no XMP).
export const MAX_EDGE = 1600;
export const MAX_BYTES = 400 * 1024;
const QUALITIES = [0.86, 0.76, 0.66, 0.56, 0.46];

function loadImage(blob) {
  return new Promise((resolve, reject) => {
    const url = URL.createObjectURL(blob);
    const img = new Image();
    img.onload = () => { URL.revokeObjectURL(url); resolve(img); };
    img.onerror = () => { URL.revokeObjectURL(url); reject(new Error("undecodable image")); };
    img.src = url;  // browsers apply the EXIF orientation when drawing an <img>
  });
}

const toBlob = (canvas, quality) =>
  new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", quality));

export async function downscale(file, maxEdge = MAX_EDGE) {
  const img = await loadImage(file);
  const longest = Math.max(img.naturalWidth, img.naturalHeight);
  let scale = Math.min(1, Math.min(maxEdge, MAX_EDGE) / longest);
  const canvas = document.createElement("canvas");
  for (let round = 0; round < 8; round += 1) {
    canvas.width = Math.max(1, Math.round(img.naturalWidth * scale));
    canvas.height = Math.max(1, Math.round(img.naturalHeight * scale));
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = "#fff";  // transparent PNGs would turn black in a JPEG
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    for (const quality of QUALITIES) {
      const blob = await toBlob(canvas, quality);
      if (blob && blob.size <= MAX_BYTES) {
        canvas.width = canvas.height = 0;
        return { bytes: new Uint8Array(await blob.arrayBuffer()), width: Math.round(img.naturalWidth * scale),
          height: Math.round(img.naturalHeight * scale) };
      }
    }
    scale *= 0.75;
  }
  throw new Error("photo too large even when reduced");
}
