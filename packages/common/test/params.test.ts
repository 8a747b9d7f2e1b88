import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { artifact, paramInfo, taskFinalStatus, UnsupportedSchemaError } from '../src/index.ts';

describe('paramInfo: zod schema -> IR parameter spec', () => {
  it.each([
    ['z.string()', z.string(), 'STRING'],
    ['z.int()', z.int(), 'NUMBER_INTEGER'],
    ['z.int32()', z.int32(), 'NUMBER_INTEGER'],
    ['z.number().int()', z.number().int(), 'NUMBER_INTEGER'],
    ['z.int().min(1).max(9)', z.int().min(1).max(9), 'NUMBER_INTEGER'],
    ['z.number()', z.number(), 'NUMBER_DOUBLE'],
    ['z.number().min(0)', z.number().min(0), 'NUMBER_DOUBLE'],
    ['z.boolean()', z.boolean(), 'BOOLEAN'],
    ['z.array(z.string())', z.array(z.string()), 'LIST'],
    ['z.tuple([...])', z.tuple([z.string(), z.int()]), 'LIST'],
    ['z.object({...})', z.object({ a: z.string() }), 'STRUCT'],
    ['z.record(...)', z.record(z.string(), z.unknown()), 'STRUCT'],
    ['z.email()', z.email(), 'STRING'],
  ] as const)('%s -> %s', (_, schema, type) => {
    expect(paramInfo('inputs.x', schema)).toEqual({ parameterType: type, isOptional: false });
  });

  it('.optional() is optional without a default', () => {
    expect(paramInfo('inputs.x', z.string().optional())).toEqual({ parameterType: 'STRING', isOptional: true });
  });

  it('.default(v) gives defaultValue and isOptional', () => {
    expect(paramInfo('inputs.x', z.int().default(3))).toEqual({ parameterType: 'NUMBER_INTEGER', isOptional: true, defaultValue: 3 });
    expect(paramInfo('inputs.x', z.array(z.int()).default([1, 2]))).toMatchObject({ parameterType: 'LIST', defaultValue: [1, 2] });
    expect(paramInfo('inputs.x', z.record(z.string(), z.string()).default({}))).toMatchObject({ parameterType: 'STRUCT', defaultValue: {} });
    expect(paramInfo('inputs.x', z.string().default(''))).toMatchObject({ defaultValue: '', isOptional: true });
    expect(paramInfo('inputs.x', z.boolean().default(false))).toMatchObject({ defaultValue: false, isOptional: true });
  });

  it('a null default is omitted, as KFP omits `= None`', () => {
    expect(paramInfo('inputs.x', z.string().nullable().default(null))).toEqual({ parameterType: 'STRING', isOptional: true });
  });

  it('.nullable() alone keeps the type and does not make the input optional', () => {
    expect(paramInfo('inputs.x', z.number().nullable())).toEqual({ parameterType: 'NUMBER_DOUBLE', isOptional: false });
  });

  it('.describe() is read at any wrapper level; the outermost wins', () => {
    expect(paramInfo('inputs.x', z.string().describe('inner').default('a')).description).toBe('inner');
    expect(paramInfo('inputs.x', z.string().default('a').describe('outer')).description).toBe('outer');
    expect(paramInfo('inputs.x', z.string().describe('inner').optional().describe('outer')).description).toBe('outer');
  });

  it('enums and literals are typed by their values and carry literals', () => {
    expect(paramInfo('inputs.x', z.enum(['a', 'b']))).toEqual({ parameterType: 'STRING', isOptional: false, literals: ['a', 'b'] });
    expect(paramInfo('inputs.x', z.literal([1, 2]))).toEqual({ parameterType: 'NUMBER_INTEGER', isOptional: false, literals: [1, 2] });
    expect(paramInfo('inputs.x', z.enum(['x', 'y']).default('y'))).toMatchObject({ defaultValue: 'y', literals: ['x', 'y'] });
  });

  it('a transform travels as its input type', () => {
    expect(paramInfo('inputs.x', z.string().transform((s) => s.length))).toEqual({ parameterType: 'STRING', isOptional: false });
  });

  it('TASK_FINAL_STATUS inputs are always optional', () => {
    expect(paramInfo('inputs.status', taskFinalStatus('final state'))).toEqual({ parameterType: 'TASK_FINAL_STATUS', isOptional: true, description: 'final state' });
  });

  it.each([
    ['bigint', z.bigint()],
    ['date', z.date()],
    ['union', z.union([z.string(), z.number()])],
    ['any', z.any()],
    ['json', z.json()],
  ] as const)('rejects %s with an error naming the input', (_, schema) => {
    expect(() => paramInfo('inputs.limit', schema)).toThrow(UnsupportedSchemaError);
    expect(() => paramInfo('inputs.limit', schema)).toThrow(/^inputs\.limit: zod type "\w+" has no KFP parameter type/);
  });

  it('rejects mixed enum values', () => {
    expect(() => paramInfo('inputs.mode', z.literal(['a', 1]))).toThrow(/inputs\.mode: enum\/literal values/);
  });

  it('rejects zod modifiers wrapped around an artifact', () => {
    expect(() => paramInfo('inputs.model', artifact('system.Model').optional())).toThrow(/inputs\.model: wrap artifacts with artifact\(type/);
  });
});
