#!/usr/bin/env node
// The `postern` command: a thin launcher for the compiled CLI (run `npm run build` first).
import '../dist/cli/main.js';
