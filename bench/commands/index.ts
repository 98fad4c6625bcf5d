/** The subcommands, in the order `eaddbench --help` lists them. */
import type { Command } from '../command.js';
import { command as run } from './run.js';
import { command as list } from './list.js';
import { command as report } from './report.js';
import { command as compare } from './compare.js';
import { command as merge } from './merge.js';
import { command as measure } from './measure.js';
import { command as keygen } from './keygen.js';
import { command as sign } from './sign.js';
import { command as sigstruct } from './sigstruct.js';
import { command as doctor } from './doctor.js';
import { command as calibrate } from './calibrate.js';
import { command as schema } from './schema.js';
import { command as fit } from './fit.js';

export const COMMANDS: readonly Command[] = [run, list, report, compare, merge, measure, keygen, sign, sigstruct, doctor, calibrate, fit, schema];
