// One settings object for every command: see table.ts (what exists) and load.ts (how it is read).
export { loadSettings, type FlagValues, type LoadSettingsInput } from './load.js';
export type * from './types.js';
