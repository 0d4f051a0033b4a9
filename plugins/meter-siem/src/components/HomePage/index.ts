export { HomePage, HOME_DESCRIPTION } from './HomePage';
export { HomeIcon } from './HomeIcon';
