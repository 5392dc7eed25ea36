#!/usr/bin/env node
require('../core/out/cli.js');
