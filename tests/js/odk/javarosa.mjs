// JavaRosa, the engine of ODK Collect, as a second reference for the conformance harness: where
// ODK's two engines are known to part (model.js `disagreements`), the app follows Collect and is
// compared with JavaRosa's submission. javarosa/Fill.java is compiled once against the ODK
// Validate jar pyxform ships (it bundles JavaRosa) into tests/js/odk/.build, and one JVM fills
// every form the run asks for (one JSON request a line).
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

import { validatorJar } from "./corpus.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const SOURCE = join(HERE, "javarosa", "Fill.java");
const BUILD = join(HERE, ".build");

function compiled(jar) {
  const key = createHash("sha256").update(readFileSync(SOURCE)).update(`${jar} ${statSync(jar).size}`).digest("hex").slice(0, 16);
  const out = join(BUILD, `fill-${key}`);
  if (!existsSync(join(out, "Fill.class"))) {
    mkdirSync(out, { recursive: true });
    const run = spawnSync("javac", ["-nowarn", "-d", out, "-cp", jar, SOURCE], { encoding: "utf8" });
    if (run.error || run.status !== 0) {
      throw new Error(`javac could not compile ${SOURCE} (scripts/system-deps.sh installs a JDK): ${run.error || run.stderr}`);
    }
  }
  return out;
}

let jvm = null;
function start() {
  const jar = validatorJar();
  const child = spawn("java", ["-Djava.awt.headless=true", "-cp", `${compiled(jar)}:${jar}`, "Fill"],
    { stdio: ["pipe", "pipe", "ignore"] });
  const waiting = [];
  createInterface({ input: child.stdout }).on("line", (line) => waiting.shift()?.resolve(JSON.parse(line)));
  child.on("exit", (code) => { for (const w of waiting.splice(0)) w.reject(new Error(`JavaRosa exited (${code})`)); jvm = null; });
  // Idle, the JVM keeps no test run alive; a pending answer does.
  const idle = () => { child.stdin.unref?.(); child.stdout.unref?.(); child.unref(); };
  idle();
  return { child, waiting, idle };
}

// The form filled in JavaRosa by the harness's script (the variant's): {xml, steps} or {error}.
export function fillJavaRosa(xml, attachments, variant) {
  jvm ??= start();
  const { child, waiting, idle } = jvm;
  const files = join(BUILD, "files");
  mkdirSync(files, { recursive: true });
  for (const [, name] of xml.matchAll(/jr:\/\/file(?:-csv)?\/([^"'\s<]+)/g)) {
    if (name in attachments) writeFileSync(join(files, name), attachments[name]);
  }
  return new Promise((resolve, reject) => {
    waiting.push({ resolve: (answer) => { if (!waiting.length) idle(); resolve(answer); }, reject });
    child.ref(); child.stdout.ref?.(); child.stdin.ref?.();
    child.stdin.write(`${JSON.stringify({ xml, dir: files, variant })}\n`);
  });
}
