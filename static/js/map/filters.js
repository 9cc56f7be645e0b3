/* The filter form of the map (rendered by the server with translated labels): dates, and
 * checkbox lists for type, severity, status, organisation and country, one facility from a
 * list. Reads and writes the filters in the shape of mapState.
 *
 *   const form = create(element, {onChange: function (filters) {...}});
 *   form.write(filters); form.read(); form.setFacilities(features, labelOf);
 */
import * as dates from "../dates.js";
import * as mapState from "./state.js";

const CHECKBOX_LISTS = ["type", "severity", "status", "organisation", "country"];

function create(form, options) {
  let wantedFacility = "";
  const facilitySelect = form.querySelector("select[name=facility]");

  function boxes(name) {
    return Array.prototype.slice.call(form.querySelectorAll("input[type=checkbox][name=" +
                                                            name + "]"));
  }

  function countChosen() {
    CHECKBOX_LISTS.forEach(function (name) {
      const badge = form.querySelector("[data-chosen=" + name + "]");
      const n = boxes(name).filter(function (box) { return box.checked; }).length;
      if (badge) { badge.textContent = n ? "(" + n + ")" : ""; }
    });
  }

  function read() {
    const filters = mapState.emptyFilters();
    filters.from = form.elements.from.value || "";
    filters.to = form.elements.to.value || "";
    CHECKBOX_LISTS.forEach(function (name) {
      filters[name] = boxes(name).filter(function (box) { return box.checked; })
        .map(function (box) { return box.value; });
    });
    const facility = facilitySelect ? facilitySelect.value : "";
    filters.facility = facility ? [facility] : (wantedFacility ? [wantedFacility] : []);
    return filters;
  }

  function write(filters) {
    form.elements.from.value = filters.from || "";
    form.elements.to.value = filters.to || "";
    showDays();
    CHECKBOX_LISTS.forEach(function (name) {
      const chosen = filters[name] || [];
      boxes(name).forEach(function (box) { box.checked = chosen.indexOf(box.value) >= 0; });
    });
    wantedFacility = (filters.facility || [])[0] || "";
    if (facilitySelect) {
      facilitySelect.value = wantedFacility;
      if (facilitySelect.value !== wantedFacility) { facilitySelect.value = ""; }
      else { wantedFacility = ""; }  // the list has it: the select holds it from now on
    }
    countChosen();
  }

  /** Fill the facility list (names in the page's language), keeping the chosen one. */
  function setFacilities(features, labelOf) {
    if (!facilitySelect) { return; }
    const chosen = wantedFacility || facilitySelect.value;
    features.slice().sort(function (a, b) {
      return labelOf(a).localeCompare(labelOf(b));
    }).forEach(function (feature) {
      const option = document.createElement("option");
      option.value = feature.id;
      option.textContent = labelOf(feature);
      facilitySelect.appendChild(option);
    });
    facilitySelect.value = chosen;
    if (facilitySelect.value === chosen) { wantedFacility = ""; }
  }

  /** Under each picker, its day in the person's calendar (the pickers are Gregorian). */
  function showDays() {
    ["from", "to"].forEach(function (name) {
      const out = document.getElementById("nz-" + name + "-day");
      if (out) { out.textContent = dates.day(form.elements[name].value); }
    });
  }

  function changed() {
    const from = form.elements.from, to = form.elements.to;
    if (from.value && to.value && from.value > to.value) {  // keep the range the right way
      const swap = from.value;
      from.value = to.value;
      to.value = swap;
    }
    showDays();
    wantedFacility = facilitySelect && facilitySelect.value ? "" : wantedFacility;
    countChosen();
    options.onChange(read());
  }

  form.addEventListener("change", function (event) {
    if (event.target.name === "heat") { return; }  // the heatmap switch is not a filter
    if (event.target.name === "facility") { wantedFacility = ""; }
    changed();
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.addEventListener("reset", function () {
    wantedFacility = "";
    setTimeout(changed, 0);  // after the browser has cleared the fields
  });
  return {read: read, write: write, setFacilities: setFacilities, element: form};
}

export {create};
