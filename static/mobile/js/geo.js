// Geopoint: watch the position, show the accuracy as it improves, accept automatically once it
// is within the form's threshold, or when the monitor says so; "wait for a better fix" resumes.
import { h, clear } from "./ui.js";
import { t, number } from "./i18n.js";

export function parseGeopoint(value) {
  const [lat, lon, alt, acc] = String(value || "").trim().split(/\s+/).map(Number);
  return Number.isFinite(lat) && Number.isFinite(lon) ? { lat, lon, alt, acc } : null;
}

// threshold: accepted at once when as good; unacceptable: cannot be kept when worse.
export function geopointWidget({ value, threshold, unacceptable = Infinity, onValue }) {
  let watch = null;
  let best = null;
  const readout = h("p", { class: "geo-readout", "data-role": "geo-readout" });
  const buttons = h("div", { class: "row" });
  const box = h("div", { class: "geo" }, readout, buttons);

  const show = (point, final) => {
    clear(readout);
    if (!point) return;
    readout.append(
      h("span", {}, t("latlon", { lat: point.lat.toFixed(6), lon: point.lon.toFixed(6) })),
      h("br"),
      h("strong", { class: point.acc <= threshold ? "good" : "poor", "data-role": "geo-accuracy" },
        t("accuracy", { m: number(point.acc, 1) })),
      final ? "" : h("span", { class: "muted" }, " · ", t("locating")));
  };
  const stop = () => {
    if (watch !== null) navigator.geolocation.clearWatch(watch);
    watch = null;
  };
  const accept = () => {
    stop();
    if (best) onValue(`${best.lat} ${best.lon} ${best.alt ?? 0} ${best.acc}`);
    show(best, true);
    idle();
  };
  const idle = () => {
    clear(buttons).append(h("button", { type: "button", class: "secondary", onclick: start },
      best ? t("wait_better") : t("get_location")));
  };
  const use = h("button", { type: "button", onclick: accept, "data-role": "geo-use", disabled: true }, t("use_location"));
  function start() {
    if (!navigator.geolocation) { readout.textContent = t("location_error", { msg: "—" }); return; }
    clear(buttons).append(use,
      h("button", { type: "button", class: "secondary", onclick: () => { stop(); idle(); } }, t("cancel")));
    readout.textContent = t("locating");
    watch = navigator.geolocation.watchPosition((pos) => {
      const c = pos.coords;
      const point = { lat: c.latitude, lon: c.longitude, alt: c.altitude ?? 0, acc: c.accuracy };
      if (!best || point.acc <= best.acc) best = point;
      use.disabled = best.acc > unacceptable;
      show(best, false);
      if (best.acc <= threshold) accept();
    }, (error) => {
      readout.textContent = t("location_error", { msg: error.message });
    }, { enableHighAccuracy: true, maximumAge: 0, timeout: 120000 });
  }

  best = parseGeopoint(value);
  show(best, true);
  idle();
  box.stop = stop;
  return box;
}
