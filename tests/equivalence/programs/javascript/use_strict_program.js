'use strict';

const config = Object.freeze({ retries: 3 });
try {
  config.retries = 5;
  console.log('frozen object was modified');
} catch (err) {
  console.log('strict mode:', err.constructor.name);
}

function whoAmI() {
  return typeof this;
}
console.log('this in a plain call:', whoAmI());
