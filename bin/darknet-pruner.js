#!/usr/bin/env node
require('../cli/out/cli.js');
