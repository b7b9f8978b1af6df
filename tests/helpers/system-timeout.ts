// System tests start real processes and wait for real data; they bound themselves with waitFor.
jest.setTimeout(240_000);
