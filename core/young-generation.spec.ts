import { processSemiSpaceMb } from './young-generation';

describe('processSemiSpaceMb', () => {
  it('reads the flag from the command line over NODE_OPTIONS, and 0 without it', () => {
    expect(processSemiSpaceMb(['--max-semi-space-size=64', '--single-threaded-gc'], '')).toBe(64);
    expect(processSemiSpaceMb([], '--max-semi-space-size=32 --enable-source-maps')).toBe(32);
    expect(processSemiSpaceMb(['--max-semi-space-size=64'], '--max-semi-space-size=32')).toBe(64);
    expect(processSemiSpaceMb(['--max-semi-space-size=lots'], '')).toBe(0);
    expect(processSemiSpaceMb(['--max_semi_space_size=48'], '')).toBe(48);
    expect(processSemiSpaceMb([], '')).toBe(0);
  });
});
