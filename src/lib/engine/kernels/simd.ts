// Elementwise SIMD kernels (placeholder: filled in with the WebAssembly loops).
import type { Storage } from '../tensor';
import type { Zip } from './elementwise';

export type SimdBinaryOp = 'add' | 'sub' | 'mul' | 'div';
export type SimdUnaryOp = 'neg' | 'sqrt' | 'tanh' | 'relu';

export function simdBinary(_op: SimdBinaryOp, _z: Zip): boolean {
	return false;
}
export function simdUnary(_op: SimdUnaryOp, _v: Storage, _o: Storage): boolean {
	return false;
}
export function simdBackward(_op: 'tanh' | 'relu', _g: Storage, _y: Storage, _o: Storage): boolean {
	return false;
}
export function simdAddInto(_o: Storage, _g: Storage): boolean {
	return false;
}
export function simdSumRows(_g: Storage, _o: Storage, _rows: number, _n: number): boolean {
	return false;
}
