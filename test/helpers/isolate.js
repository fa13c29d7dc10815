'use strict';
// Loaded before every test file (.mocharc.json): the suite never reads a developer's refreshed
// advisory database (~/.local/share/secure-hints), so verdicts are the shipped data's on every machine.
const fs = require('fs');
const os = require('os');
const path = require('path');

if (!process.env.SECURE_HINTS_DATA_DIR) {
  process.env.SECURE_HINTS_DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'secure-hints-data-'));
}
