// What a bench module returns: rows that run.ts prints as one table and writes to bench/results/*.json.

export interface BenchRow {
	/** The bench module ('engine', later 'train', 'layout', …). */
	suite: string;
	/** A group inside it ('matmul', 'mlp', 'op'). */
	group: string;
	/** The case, e.g. '512×512·512×512'. */
	name: string;
	/** Median milliseconds per call with recording off. */
	ms: number;
	/** Fastest repeat, milliseconds per call, recording off (the least disturbed by other processes). */
	msMin?: number;
	/** Median CPU milliseconds per call, recording off (see Timing.cpuMs): robust to other processes' load. */
	cpuMs?: number;
	/** Median milliseconds per call inside `record(…)`, when measured. */
	msRecording?: number;
	/** The same in CPU milliseconds. */
	cpuMsRecording?: number;
	/** Arithmetic rate from the CPU time, for kernels where the flop count is known. */
	gflops?: number;
	/** Speed relative to the suite's reference measured in the same run, by CPU time (higher is faster). */
	vsRef?: number;
	/** The reference's milliseconds per call for the same work, where it is another program (PyTorch). */
	refMs?: number;
	/** What the reference is, on the reference row itself. */
	note?: string;
}

/** A bench module: runs its cases (logging progress through `log`) and returns rows. */
export interface Bench {
	name: string;
	/** `parts`: the parts asked for (`npm run bench -- browser:training`); empty: every part. */
	run(log: (line: string) => void, parts: string[]): BenchRow[] | Promise<BenchRow[]>;
	/** The parts a suite can run alone, when it has any. */
	parts?: readonly string[];
}
