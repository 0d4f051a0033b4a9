export * from './awsFaultProxy';
export * from './motoServer';
export * from './meterStream';
export * from './eventually';
