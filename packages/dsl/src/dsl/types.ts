// Type-level mapping from zod contract schemas to the channels a task accepts and produces.
import type { z } from 'zod';
import type { ArtifactChannel, ParamChannel, ParamTag, TaskFinalStatusMarker } from './channels.ts';

type Unwrap<S> = S extends z.ZodDefault<infer U> ? Unwrap<U>
  : S extends z.ZodOptional<infer U> ? Unwrap<U>
  : S extends z.ZodNullable<infer U> ? Unwrap<U>
  : S;

/** IR parameter type of a zod schema. */
export type ParamTagOf<S> = Unwrap<S> extends z.ZodInt | z.ZodInt32 | z.ZodUInt32 ? 'NUMBER_INTEGER'
  : Unwrap<S> extends z.ZodNumber ? 'NUMBER_DOUBLE'
  : Unwrap<S> extends z.ZodString | z.ZodEnum<any> | z.ZodLiteral<string> ? 'STRING'
  : Unwrap<S> extends z.ZodBoolean ? 'BOOLEAN'
  : Unwrap<S> extends z.ZodArray<any> | z.ZodTuple<any> ? 'LIST'
  : Unwrap<S> extends z.ZodObject<any> | z.ZodRecord<any, any> ? 'STRUCT'
  : never;

/** Artifact schemas (from `artifact(type)`) carry their type title. */
type ArtifactTitleOf<S> = Unwrap<S> extends { readonly artifactType: infer A extends string } ? A : never;

type IsOptional<S> = S extends z.ZodDefault<any> | z.ZodOptional<any> ? true
  : S extends { readonly isOptionalArtifact: true } ? true : false;

// An integer channel may feed a double input (KFP widens int to float).
type ChannelForParam<T extends ParamTag, S> = ParamChannel<T extends 'NUMBER_DOUBLE' ? 'NUMBER_DOUBLE' | 'NUMBER_INTEGER' : T> | z.input<S & z.ZodType>;

/** What may be passed for one input: a channel of the right type, or a literal value for a parameter. */
export type ArgFor<S> = [ArtifactTitleOf<S>] extends [never]
  ? S extends { readonly taskFinalStatus: true } ? TaskFinalStatusMarker
    : ChannelForParam<ParamTagOf<S> & ParamTag, S>
  : ArtifactTitleOf<S> extends 'system.Artifact' ? ArtifactChannel<string> : ArtifactChannel<ArtifactTitleOf<S>>;

export type Shape = Record<string, z.ZodType>;

/** Arguments of a typed component call: required inputs are required, defaults/optionals may be omitted. */
export type ArgsOf<I extends Shape> =
  & { [K in keyof I as IsOptional<I[K]> extends true ? never : K]: ArgFor<I[K]> }
  & { [K in keyof I as IsOptional<I[K]> extends true ? K : never]?: ArgFor<I[K]> };

/** Output channels of a typed component. */
export type OutputsOf<O extends Shape> = {
  readonly [K in keyof O]: [ArtifactTitleOf<O[K]>] extends [never] ? ParamChannel<ParamTagOf<O[K]> & ParamTag> : ArtifactChannel<ArtifactTitleOf<O[K]>>;
};
