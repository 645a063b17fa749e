"""BOSS's side of the participant tests, with Debian's python3-pika (run it with /usr/bin/python3).

  boss.py URL declare                      declare ruote_workitems (durable), as the engine does at start
  boss.py URL publish QUEUE                publish standard input, persistent, to the default exchange
  boss.py URL replies COUNT SECONDS        print up to COUNT replies from ruote_workitems, one JSON a line
  boss.py URL count QUEUE                  print how many messages wait in QUEUE
"""
import sys
import time

import pika

REPLIES = 'ruote_workitems'


def main(url, command, *args):
    connection = pika.BlockingConnection(pika.URLParameters(url))
    channel = connection.channel()
    if command == 'declare':
        channel.queue_declare(queue=REPLIES, durable=True)
    elif command == 'publish':
        (queue,) = args
        channel.queue_declare(queue=queue, durable=True)
        channel.basic_publish(
            exchange='',
            routing_key=queue,
            body=sys.stdin.buffer.read(),
            properties=pika.BasicProperties(delivery_mode=2, content_type='application/json'),
        )
    elif command == 'replies':
        count, seconds = int(args[0]), float(args[1])
        deadline = time.monotonic() + seconds
        received = 0
        while received < count and time.monotonic() < deadline:
            method, properties, body = channel.basic_get(queue=REPLIES)
            if method is None:
                time.sleep(0.2)
                continue
            if properties.delivery_mode != 2:
                raise SystemExit('a reply was not persistent')
            print(body.decode('utf-8'), flush=True)
            channel.basic_ack(method.delivery_tag)
            received += 1
    elif command == 'count':
        (queue,) = args
        print(channel.queue_declare(queue=queue, durable=True, passive=True).method.message_count)
    else:
        raise SystemExit(__doc__)
    connection.close()


if __name__ == '__main__':
    main(*sys.argv[1:])
