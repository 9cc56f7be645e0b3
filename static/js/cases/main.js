/* Protection cases' pages (server/web/case_pages.py): which page, from its config block. */
import {readData} from "../nezarat.js";
import * as keyring from "./keyring.js";
import {status} from "./dom.js";
import {queuePage} from "./queue.js";
import {keysPage} from "./keys.js";
import {inboxPage} from "./inbox.js";

const PAGES = {queue: queuePage, keys: keysPage, inbox: inboxPage};

async function start() {
  const config = readData("nz-cases-config", null);
  const root = document.getElementById("nz-cases");
  if (!config || !root) { return; }
  keyring.setup(config.autoLockMinutes);
  try {
    await PAGES[config.page](config, root);
  } catch (error) {
    status(`${config.strings.failed} ${error.message}`, "error");
  }
  root.dataset.ready = "true";
}

start();
