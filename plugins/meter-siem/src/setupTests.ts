import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// A whole test app renders in well under a second alone, but the test
// command runs suites side by side on two cores: the findBy* queries wait up
// to 10 s rather than 1 s for the first render.
configure({ asyncUtilTimeout: 10_000 });
