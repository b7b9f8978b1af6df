#!/usr/bin/env -S node --max-semi-space-size=64 --single-threaded-gc
'use strict';
// Entry point for `npx tidewatch`: runs the compiled CLI (built by `npm install` through the prepare script).
const path = require('node:path');
const fs = require('node:fs');
const entry = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
if (!fs.existsSync(entry)) {
  console.error(
    'tidewatch: the project is not built yet. Run `npm run build` (npm install does this) and try again.',
  );
  process.exit(2);
}
require(entry);
