export { meterSiemPlugin as default } from './plugin';
