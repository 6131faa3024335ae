export type { ControlBasicsOptions, ControlState, Faults } from './control.ts';
export { noFaults, registerControlBasics } from './control.ts';
export type { Rng, SyntheticPerson } from './synthetic.ts';
export { createRng, syntheticPerson, syntheticPhone, syntheticVillageCode } from './synthetic.ts';
