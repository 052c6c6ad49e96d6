"""Top-level code that blocks forever in C calls: a sleeping thread and select on nothing."""

import select
import threading
import time

threading.Thread(target=time.sleep, args=(40,)).start()
select.select([], [], [], 40)


def softmax(x):
    return x
