// ESLint (flat config) for our browser code: the workspace (static/js, bundled by esbuild through
// Flask-Assets) and the mobile app (static/mobile/js, served as ES modules), and the unit tests
// of their pure modules (tests/js, run by `node --test`). `make lint-js` runs it.
import js from "@eslint/js";
import globals from "globals";

export default [
  {ignores: ["static/vendor/**", "static/gen/**", "static/mobile/vendor/**", "static/mobile/lib/**", "node_modules/**"]},
  js.configs.recommended,
  {
    files: ["static/**/*.js"],
    languageOptions: {ecmaVersion: 2022, sourceType: "module", globals: {...globals.browser}},
    rules: {
      "no-unused-vars": ["error", {args: "none", caughtErrors: "none"}],
      "eqeqeq": ["error", "smart"],
      "no-implicit-globals": "error",
      "no-var": "error",
      "prefer-const": "error",
    },
  },
  {
    // The service worker is a classic worker script (not a module).
    files: ["static/mobile/sw.js"],
    languageOptions: {sourceType: "script", globals: {...globals.serviceworker}},
    rules: {"no-implicit-globals": "off"},
  },
  {
    files: ["tests/js/**/*.mjs", "eslint.config.js"],
    languageOptions: {ecmaVersion: 2022, sourceType: "module", globals: {...globals.node}},
  },
];
