export type { ControlBasicsOptions, ControlState, Faults } from './control.ts';
export { noFaults, registerControlBasics } from './control.ts';
export type { ReplayCall, ReplayOptions, ReplayPins, ReplayResult } from './replay.ts';
export { isReplayed, registerReplayRoute, replayHeader } from './replay.ts';
export type { Rng, SyntheticPerson } from './synthetic.ts';
export { createRng, syntheticPerson, syntheticPhone, syntheticVillageCode } from './synthetic.ts';
